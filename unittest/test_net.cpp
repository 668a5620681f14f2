#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "net.hpp"

using namespace clustersync;

TEST_CASE("net: IPv4 addresses", "[net]") {
    for (const char* ok : {"0.0.0.0", "10.0.100.1", "255.255.255.255", "198.18.0.1", "1.2.3.4"}) {
        INFO(ok);
        CHECK(is_ipv4(ok));
    }
    for (const char* bad : {"", "256.0.0.1", "10.0.0", "10.0.0.1.2", "010.0.0.1", "10.0.0.01", "10.0.0.1 ", " 10.0.0.1",
                            "10.0.0.-1", "a.b.c.d", "10..0.1", "::1", "1e1.0.0.1"}) {
        INFO(bad);
        CHECK_FALSE(is_ipv4(bad));
    }
}

TEST_CASE("net: IPv6 addresses", "[net]") {
    for (const char* ok : {"::", "::1", "fd00::2", "FD00::2", "2001:db8:0:0:0:0:0:1", "::ffff:10.0.0.1", "fe80::1:2:3:4"}) {
        INFO(ok);
        CHECK(is_ipv6(ok));
    }
    for (const char* bad : {"", ":", ":::", "fd00:::2", "fe80::1%eth0", "[::1]", "1:2:3:4:5:6:7:8:9", "g::1", "10.0.0.1",
                            "::1 ", "12345::1"}) {
        INFO(bad);
        CHECK_FALSE(is_ipv6(bad));
    }
    CHECK_FALSE(is_ipv6(std::string("::1\0", 4)));
}

TEST_CASE("net: RFC 1123 host names", "[net]") {
    for (const std::string& ok : std::vector<std::string>{"a", "A", "1a", "a1", "foo.example.net", "x-y.z", "web01", "3com.example",
                                 std::string(63, 'a'), std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                                                           std::string(63, 'c') + "." + std::string(61, 'd')}) {
        INFO(ok);
        CHECK(is_host_name(ok));
    }
    for (const std::string& bad : std::vector<std::string>{"", ".", "a.", ".a", "a..b", "-a", "a-", "a.-b", "a_b", "a b", "a@b", "1", "10.0.0.1",
                                  "a.123", std::string(64, 'a'),
                                  std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                                      std::string(62, 'd'),
                                  "ünï", "a\n"}) {
        INFO(bad);
        CHECK_FALSE(is_host_name(bad));
    }
}

TEST_CASE("net: addresses and CIDR blocks", "[net]") {
    for (const char* ok : {"10.0.0.1", "10.0.0.0/8", "0.0.0.0/0", "10.0.0.1/32", "::1", "::/0", "fd00::/8", "fd00::1/128"}) {
        INFO(ok);
        CHECK_FALSE(address_or_block_problem(ok));
    }
    const std::string any = "expected an IPv4 or IPv6 address or CIDR block";
    struct Case {
        const char* in;
        std::string problem;
    };
    const Case cases[] = {
        {"10.0.0.0/33", "the prefix length of an IPv4 block is 0 to 32"},
        {"fd00::/129", "the prefix length of an IPv6 block is 0 to 128"},
        {"fd00::/9999", "the prefix length of an IPv6 block is 0 to 128"},
        {"10.0.0.0/", any},
        {"10.0.0.0/08", any},
        {"10.0.0.0/99999", any},
        {"10.0.0.0/ 8", any},
        {"host/8", any},
        {"", any},
        {"/8", any},
    };
    for (const auto& c : cases) {
        INFO(c.in);
        CHECK(address_or_block_problem(c.in) == std::optional<std::string>(c.problem));
    }
}
