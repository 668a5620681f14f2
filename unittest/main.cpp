// The unit tests' main: Catch2's, plus a watchdog. A test case still running after 240 s
// (CLUSTERSYNC_TEST_HANG_SECONDS, for the watchdog's own test) prints its name and the stack it
// is stuck in (a hung test otherwise ends at CTest's timeout with no output at all), then ends
// the run with exit status 3.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <execinfo.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr unsigned kHangSeconds = 240;  // below CTest's 300 s (unittest/CMakeLists.txt)
unsigned g_hang_seconds = kHangSeconds;
char g_test_name[512];
char g_after[64];  // "\" is still running after N s", written before any test runs

void say(const char* text) {
    for (std::size_t left = std::strlen(text); left > 0;) {
        const ssize_t n = ::write(2, text, left);
        if (n <= 0) return;
        text += n;
        left -= static_cast<std::size_t>(n);
    }
}

extern "C" void on_hang(int) {
    say("\nclustersync_tests: test case \"");
    say(g_test_name);
    say(g_after);
    void* frames[64];
    ::backtrace_symbols_fd(frames, ::backtrace(frames, 64), 2);
    ::_exit(3);
}

struct HangWatchdog : Catch::TestEventListenerBase {
    using TestEventListenerBase::TestEventListenerBase;

    void testRunStarting(const Catch::TestRunInfo& info) override {
        TestEventListenerBase::testRunStarting(info);
        void* frames[1];
        ::backtrace(frames, 1);  // loads the unwinder now, not inside the signal handler
        if (const char* s = std::getenv("CLUSTERSYNC_TEST_HANG_SECONDS")) {
            const long n = std::strtol(s, nullptr, 10);
            if (n > 0 && n <= 3600) g_hang_seconds = static_cast<unsigned>(n);
        }
        const std::string after = "\" is still running after " + std::to_string(g_hang_seconds) + " s; it is stuck in:\n";
        std::strncpy(g_after, after.c_str(), sizeof g_after - 1);
        struct sigaction action {};
        action.sa_handler = on_hang;
        ::sigaction(SIGALRM, &action, nullptr);
    }
    void testCaseStarting(const Catch::TestCaseInfo& info) override {
        TestEventListenerBase::testCaseStarting(info);
        const std::size_t n = std::min(info.name.size(), sizeof g_test_name - 1);
        std::memcpy(g_test_name, info.name.data(), n);
        g_test_name[n] = '\0';
        ::alarm(g_hang_seconds);
    }
    void testCaseEnded(const Catch::TestCaseStats& stats) override {
        ::alarm(0);
        TestEventListenerBase::testCaseEnded(stats);
    }
};

}  // namespace

CATCH_REGISTER_LISTENER(HangWatchdog)

// The watchdog's own test (hidden: run only by name, by the CTest test unit_watchdog_reports_a_hung_test):
// blocks in read() on a pipe nobody writes to, until the watchdog ends the run.
TEST_CASE("watchdog: a test that never ends", "[.][watchdog]") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    char c;
    CHECK(::read(fds[0], &c, 1) < 0);  // never returns: the write end stays open
}
