#!/usr/bin/env bash
# Install the Debian/Ubuntu packages the platform needs, when we can (root + apt-get);
# otherwise say exactly what to install. Idempotent: installs only what is missing.
#
# A tool already on PATH counts as present however it got there (a JDK from a tarball,
# Node from nodesource), so only what is really missing is installed or reported.
set -euo pipefail

# "command package": the command that must work, and the Debian package providing it.
REQUIRED=(
  "bwrap bubblewrap"              # the sandbox: every run happens inside it
  "node nodejs"                   # builds the room's bundle (esbuild) and runs JavaScript
  "npm npm"                       # installs the room's pinned front-end packages
)
# Drives the room in the browser tests (Playwright by executable_path; never its download).
BROWSER=(
  "chromium chromium"
  "fc-list fonts-liberation"      # a font, so pages render text the same everywhere
  # real recorded speech with its transcripts: the speech engines' word error rate
  "/usr/share/asterisk/sounds/en_US_f_Allison/auth-thankyou.wav asterisk-core-sounds-en-wav"
  "/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz asterisk-core-sounds-en"
)
LANGUAGES=(
  "javac default-jdk-headless"    # Java (JDK 17 or newer: javac + java)
  "g++ g++"                       # C++
)

# A command on PATH, or (an absolute path) a file a package installs.
present() {
  case "$1" in
    /*) test -e "$1" ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing_required=()
missing_languages=()
missing_browser=()
for entry in "${REQUIRED[@]}"; do
  read -r command package <<<"$entry"
  present "$command" || missing_required+=("$package")
done
for entry in "${LANGUAGES[@]}"; do
  read -r command package <<<"$entry"
  present "$command" || missing_languages+=("$package")
done
for entry in "${BROWSER[@]}"; do
  read -r command package <<<"$entry"
  present "$command" || missing_browser+=("$package")
done
# Debian's python3 splits venv/ensurepip into its own package.
if ! "${PYTHON:-python3}" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing_required+=(python3-venv)
fi

missing=("${missing_required[@]}" "${missing_languages[@]}" "${missing_browser[@]}")
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || apt-get update
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  exit 0
fi

if [ ${#missing_required[@]} -gt 0 ]; then
  echo "InterviewKit needs these system packages; install them with:" >&2
  echo "  sudo apt-get install ${missing_required[*]}" >&2
  exit 1
fi
if [ ${#missing_browser[@]} -gt 0 ]; then
  echo "warning: the browser and speech tests need: sudo apt-get install ${missing_browser[*]}" >&2
fi
# Missing toolchains only remove their language: the server lists what it finds.
if [ ${#missing_languages[@]} -gt 0 ]; then
  echo "warning: these languages' toolchains are missing and will be unavailable:" >&2
  echo "  sudo apt-get install ${missing_languages[*]}" >&2
fi
