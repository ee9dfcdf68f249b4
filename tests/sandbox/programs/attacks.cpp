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
