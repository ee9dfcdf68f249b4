// Attacks on the sandbox, in C++: the first stdin line names one and gives its arguments.
// Run inside the sandbox by the tests in this folder, never on the host.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

static void say(const std::string& key, const std::string& value) {
    std::printf("%s: %s\n", key.c_str(), value.c_str());
    std::fflush(stdout);
}

static std::string error_name(int code) {
    switch (code) {
        case EPERM: return "EPERM";
        case EACCES: return "EACCES";
        case ENOSPC: return "ENOSPC";
        case EFBIG: return "EFBIG";
        case ECONNREFUSED: return "ECONNREFUSED";
        case ENETUNREACH: return "ENETUNREACH";
        case EROFS: return "EROFS";
        case ESRCH: return "ESRCH";
        case ENOENT: return "ENOENT";
        case ETXTBSY: return "ETXTBSY";
        default: return std::to_string(code);
    }
}

static volatile int sink;

static int depth(int n) {
    volatile char frame[256];
    frame[0] = static_cast<char>(n);
    sink = frame[0];
    return depth(n + 1) + frame[0];
}

// ---- warm pools: what one run may leave for the next, and what a run may find ------------

static const char* const LEFT_FOLDERS[] = {"/tmp", "/work", "/dev/shm"};
static const int LEFT_FD = 77;

static std::vector<std::string> entries(const std::string& folder) {
    std::vector<std::string> found;
    if (DIR* dir = opendir(folder.c_str())) {
        while (dirent* entry = readdir(dir)) found.emplace_back(entry->d_name);
        closedir(dir);
    }
    std::sort(found.begin(), found.end());
    return found;
}

static std::vector<int> pids() {
    std::vector<int> found;
    for (const auto& name : entries("/proc"))
        if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos)
            found.push_back(std::stoi(name));
    return found;
}

static std::string joined(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
    return out + "]";
}

static void ignore_signal(int) {}

static void leave(const std::string& marker) {
    for (const char* folder : LEFT_FOLDERS) {
        std::string path = std::string(folder) + "/" + marker;
        int fd = open(path.c_str(), O_CREAT | O_WRONLY, 0644);
        say(std::string("file ") + folder, fd >= 0 ? "ok" : error_name(errno));
        if (fd >= 0) close(fd);
    }
    if (fork() == 0) {  // a detached process that ignores the polite signals
        setsid();
        signal(SIGHUP, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        std::string beat = "/tmp/" + marker + "-process";
        for (;;) {
            int fd = open(beat.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
            if (fd >= 0) close(fd);
            usleep(50000);
        }
    }
    setenv("IK_LEFT", marker.c_str(), 1);
    signal(SIGUSR1, ignore_signal);
    signal(SIGPIPE, SIG_IGN);  // an ignored signal survives execve: the next program would inherit it
    int held = open(("/tmp/" + marker + "-fd").c_str(), O_CREAT | O_RDWR, 0644);
    dup2(held, LEFT_FD);
    say("left", marker);
}

static void look(const std::string& marker) {
    std::vector<std::string> found, leftovers;
    for (const char* folder : LEFT_FOLDERS)
        for (const auto& name : entries(folder))
            if (name.find(marker) != std::string::npos) found.push_back(name);
    say("found_files", joined(found));
    if (getenv("IK_LEFT") != nullptr) leftovers.push_back("env");
    if (access(("/proc/self/fd/" + std::to_string(LEFT_FD)).c_str(), F_OK) == 0)
        leftovers.push_back("fd " + std::to_string(LEFT_FD));
    say("leftovers", joined(leftovers));
    say("processes", std::to_string(pids().size()));
    // what execve keeps: an ignored signal stays ignored in the program started
    std::vector<std::string> signals;
    for (int sig = 1; sig < 32; ++sig) {
        struct sigaction action {};
        if (sigaction(sig, nullptr, &action) == 0 && action.sa_handler != SIG_DFL)
            signals.push_back(std::to_string(sig));
    }
    say("signals", joined(signals));
}

static std::string drain(const std::string& link) {
    int fd = open(link.c_str(), O_RDONLY | O_NONBLOCK);
    if (fd < 0) return error_name(errno);
    std::vector<char> buffer(1 << 20);
    ssize_t got = read(fd, buffer.data(), buffer.size());
    std::string outcome = got >= 0 ? "read=" + std::to_string(got) : error_name(errno);
    close(fd);
    return outcome;
}

static void descriptors() {
    const char* result = getenv("IK_RESULT_FD");
    int self = getpid();
    for (int pid : pids()) {
        std::string folder = "/proc/" + std::to_string(pid) + "/fd";
        for (const auto& name : entries(folder)) {
            if (name == "." || name == "..") continue;
            int fd = std::stoi(name);
            if (pid == self && (fd <= 2 || (result && name == result))) continue;
            std::string link = folder + "/" + name;
            char target[256] = {0};
            if (readlink(link.c_str(), target, sizeof target - 1) < 0) continue;
            std::string where(target);
            bool streaming = where.rfind("pipe:", 0) == 0 || where.rfind("socket:", 0) == 0 ||
                             where.rfind("anon_inode:", 0) == 0;
            say("fd_" + std::to_string(pid) + "_" + name,
                where + " " + (streaming ? drain(link) : std::string("file")));
        }
    }
}

int main() {
    std::string attack, argument;
    std::cin >> attack >> argument;
    const std::size_t mb = 1024 * 1024;
    if (attack == "fork_bomb") {
        for (;;) fork();
    } else if (attack == "thread_bomb") {
        std::vector<std::thread> threads;
        for (;;) {
            try {
                threads.emplace_back([] { sleep(3600); });
            } catch (const std::exception& error) {
                say("threads", std::to_string(threads.size()) + " then " + error.what());
                throw;
            }
        }
    } else if (attack == "memory_sudden") {
        std::vector<char> block(1024 * mb, 1);
        say("allocated", std::to_string(block.size()));
    } else if (attack == "memory_gradual") {
        std::vector<char*> chunks;
        for (;;) {
            char* chunk = static_cast<char*>(std::malloc(10 * mb));
            if (chunk == nullptr) {
                say("malloc", "null");
                return 3;
            }
            std::memset(chunk, 1, 10 * mb);
            chunks.push_back(chunk);
            say("allocated_mb", std::to_string(10 * chunks.size()));
        }
    } else if (attack == "busy_loop") {
        for (;;) sink = sink + 1;
    } else if (attack == "sleep") {
        sleep(3600);
    } else if (attack == "stdout_flood") {
        std::string line(1023, 'A');
        line += '\n';
        for (;;) std::fwrite(line.data(), 1, line.size(), stdout);
    } else if (attack == "stderr_flood") {
        std::string line(1023, 'E');
        line += '\n';
        for (;;) std::fwrite(line.data(), 1, line.size(), stderr);
    } else if (attack == "fill") {
        std::vector<char> chunk(mb, 0);
        std::size_t written = 0;
        for (int index = 0; index < 1024; ++index) {
            std::string path = argument + "/fill-" + std::to_string(index);
            int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (fd < 0) {
                say("error", error_name(errno));
                break;
            }
            bool failed = false;
            std::size_t left = 4 * chunk.size();
            while (left > 0 && !failed) {
                ssize_t done = write(fd, chunk.data(), std::min(left, chunk.size()));
                if (done < 0) {
                    say("error", error_name(errno));
                    failed = true;
                } else {
                    written += done;
                    left -= done;
                }
            }
            close(fd);
            if (failed) break;
        }
        say("written_mb", std::to_string(written / mb));
    } else if (attack == "connect") {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<uint16_t>(std::stoi(argument)));
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
        if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
            say("connected", "yes");
        } else {
            say("connect", error_name(errno));
        }
        close(fd);
    } else if (attack == "write") {
        int fd = open(argument.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0755);
        if (fd < 0) {
            say("write", error_name(errno));
        } else {
            ssize_t done = write(fd, "owned\n", 6);
            say("write", done == 6 ? "ok" : error_name(errno));
            close(fd);
        }
    } else if (attack == "recursion") {
        say("depth", std::to_string(depth(0)));
    } else if (attack == "daemon") {
        if (fork() == 0) {
            setsid();
            if (fork() == 0) {
                int null = open("/dev/null", O_RDWR);
                dup2(null, 0);
                dup2(null, 1);
                dup2(null, 2);
                signal(SIGHUP, SIG_IGN);
                signal(SIGTERM, SIG_IGN);
                sleep(600);
            }
            _exit(0);
        }
        wait(nullptr);
        say("parent", "exiting");
    } else if (attack == "environment") {
        extern char** environ;
        std::string all;
        for (char** entry = environ; *entry; ++entry) all += std::string(*entry) + " ";
        say("environ", all);
        for (int pid : pids()) {
            std::string path = "/proc/" + std::to_string(pid) + "/environ";
            int fd = open(path.c_str(), O_RDONLY);
            if (fd < 0) {
                say("proc_" + std::to_string(pid) + "_environ", error_name(errno));
                continue;
            }
            std::string content(1 << 16, '\0');
            ssize_t got = read(fd, content.data(), content.size());
            close(fd);
            content.resize(got > 0 ? got : 0);
            std::replace(content.begin(), content.end(), '\0', ' ');
            say("proc_" + std::to_string(pid) + "_environ", content);
        }
    } else if (attack == "leave") {
        leave(argument);
    } else if (attack == "look") {
        look(argument);
    } else if (attack == "fds") {
        descriptors();
    } else if (attack == "kill_all") {
        say("kill", kill(-1, SIGKILL) == 0 ? "sent" : error_name(errno));
        say("survived", "yes");
    } else if (attack == "seccomp") {
        say("ptrace", syscall(SYS_ptrace, 0, 0, 0, 0) == 0 ? "ok" : error_name(errno));
        say("unshare", syscall(SYS_unshare, 0) == 0 ? "ok" : error_name(errno));
        say("keyctl", syscall(SYS_keyctl, 0, -3, 0) >= 0 ? "ok" : error_name(errno));
        int vsock = socket(40, SOCK_STREAM, 0);
        say("vsock", vsock >= 0 ? "ok" : error_name(errno));
    } else {
        say("unknown", attack);
        return 2;
    }
    return 0;
}
