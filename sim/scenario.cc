/* SPDX-License-Identifier: BSD-3-Clause */
// sim/scenario.cc — strict readers for scenario values (see scenario.h).
#include "scenario.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>

namespace seqs_sim {

void Fail(const std::string& msg) { throw ScenarioError(msg); }

std::string LineOf(const toml::node& n) {
    auto line = n.source().begin.line;
    return line ? " (line " + std::to_string(line) + ")" : "";
}

std::string KeyAt(const toml::table& t, const char* key, const std::string& where) {
    std::string s = where.empty() ? std::string(key) : where + "." + key;
    if (const toml::node* n = t.get(key)) s += LineOf(*n);
    return s;
}

void CheckKeys(const toml::table& t, std::initializer_list<const char*> allowed, const std::string& where) {
    for (auto&& [k, v] : t) {
        bool ok = false;
        for (const char* a : allowed) ok = ok || k.str() == a;
        if (!ok) Fail(where + LineOf(v) + ": unknown key '" + std::string(k.str()) + "'");
    }
}

std::string Str(const toml::table& t, const char* key, const std::string& def, const std::string& where) {
    auto n = t[key];
    if (!n) return def;
    auto v = n.value<std::string>();
    if (!v || !n.is_string()) Fail(KeyAt(t, key, where) + ": must be a string");
    return *v;
}

double Num(const toml::table& t, const char* key, double def, const std::string& where) {
    auto n = t[key];
    if (!n) return def;
    if (!n.is_number()) Fail(KeyAt(t, key, where) + ": must be a number");
    double v = *n.value<double>();   // toml++ converts integers too
    if (!std::isfinite(v)) Fail(KeyAt(t, key, where) + ": must be a finite number");
    return v;
}

int64_t Int(const toml::table& t, const char* key, int64_t def, const std::string& where) {
    auto n = t[key];
    if (!n) return def;
    if (!n.is_integer()) Fail(KeyAt(t, key, where) + ": must be an integer");
    return *n.value<int64_t>();
}

int64_t IntIn(const toml::table& t, const char* key, int64_t def, int64_t lo, int64_t hi, const std::string& where) {
    int64_t v = Int(t, key, def, where);
    if (v < lo || v > hi)
        Fail(KeyAt(t, key, where) + ": " + std::to_string(v) + " is outside " + std::to_string(lo) + ".." +
             std::to_string(hi));
    return v;
}

bool Bool(const toml::table& t, const char* key, bool def, const std::string& where) {
    auto n = t[key];
    if (!n) return def;
    if (!n.is_boolean()) Fail(KeyAt(t, key, where) + ": must be true or false");
    return *n.value<bool>();
}

namespace {

// "<digits>[.<digits>]<unit>" -> (value, unit); false on any other shape.
bool SplitNumber(const std::string& s, double* value, std::string* unit) {
    size_t i = 0, digits = 0, dots = 0;
    while (i < s.size() && (std::isdigit((unsigned char)s[i]) || s[i] == '.')) {
        if (s[i] == '.') dots++;
        else digits++;
        i++;
    }
    if (!digits || dots > 1 || s[0] == '.' || (i > 0 && s[i - 1] == '.')) return false;
    *unit = s.substr(i);
    *value = std::strtod(s.substr(0, i).c_str(), nullptr);
    return std::isfinite(*value);
}

}  // namespace

ns3::Time ParseTime(const std::string& s, const std::string& where) {
    static const std::map<std::string, double> units = {{"ns", 1.0},    {"us", 1e3},   {"ms", 1e6},
                                                        {"s", 1e9},     {"min", 60e9}, {"h", 3600e9}};
    double v;
    std::string unit;
    if (!SplitNumber(s, &v, &unit) || !units.count(unit))
        Fail(where + ": bad time '" + s + "' (a number and a unit ns, us, ms, s, min or h: e.g. 2ms, 1.5s)");
    double ns = v * units.at(unit);
    if (ns > 1e18) Fail(where + ": time '" + s + "' is too large");
    if (ns != std::floor(ns)) Fail(where + ": time '" + s + "' is finer than 1 ns");
    return ns3::NanoSeconds((int64_t)ns);
}

ns3::Time TimeKey(const toml::table& t, const char* key, const std::string& def, const std::string& where) {
    return ParseTime(Str(t, key, def, where), KeyAt(t, key, where));
}

uint64_t ParseRate(const std::string& s, const std::string& where) {
    // ns-3's DataRate units (data-rate.cc), as bits per unit.
    static const std::map<std::string, double> units = {
        {"bps", 1},        {"b/s", 1},        {"Bps", 8},         {"B/s", 8},         {"kbps", 1e3},
        {"kb/s", 1e3},     {"Kbps", 1e3},     {"Kb/s", 1e3},      {"kBps", 8e3},      {"kB/s", 8e3},
        {"KBps", 8e3},     {"KB/s", 8e3},     {"Kib/s", 1024.0},  {"KiB/s", 8192.0},  {"Mbps", 1e6},
        {"Mb/s", 1e6},     {"MBps", 8e6},     {"MB/s", 8e6},      {"Mib/s", 1048576.0}, {"MiB/s", 8388608.0},
        {"Gbps", 1e9},     {"Gb/s", 1e9},     {"GBps", 8e9},      {"GB/s", 8e9},      {"Gib/s", 1073741824.0},
        {"GiB/s", 8589934592.0}};
    double v;
    std::string unit;
    if (!SplitNumber(s, &v, &unit) || !units.count(unit))
        Fail(where + ": bad rate '" + s + "' (a number and a unit: bps, kbps, Mbps, Gbps, MB/s, ...: e.g. 100Mbps)");
    double bps = v * units.at(unit);
    if (bps < 1 || bps > 1e15) Fail(where + ": rate '" + s + "' must be between 1 bps and 1 Pbps");
    return (uint64_t)bps;
}

ns3::DataRate RateKey(const toml::table& t, const char* key, const std::string& def, const std::string& where) {
    return ns3::DataRate(ParseRate(Str(t, key, def, where), KeyAt(t, key, where)));
}

uint64_t SizeKey(const toml::table& t, const char* key, uint64_t def, uint64_t lo, uint64_t hi,
                 const std::string& where) {
    auto n = t[key];
    uint64_t v = def;
    std::string at = KeyAt(t, key, where);
    if (n && n.is_integer()) {
        int64_t i = *n.value<int64_t>();
        if (i < 0) Fail(at + ": size must not be negative");
        v = (uint64_t)i;
    } else if (n && n.is_string()) {
        static const std::map<std::string, double> units = {{"", 1},       {"B", 1},          {"KB", 1e3},
                                                            {"kB", 1e3},  {"KiB", 1024.0},   {"MB", 1e6},
                                                            {"MiB", 1048576.0}, {"GB", 1e9}, {"GiB", 1073741824.0}};
        std::string s = *n.value<std::string>();
        double d;
        std::string unit;
        if (!SplitNumber(s, &d, &unit) || !units.count(unit))
            Fail(at + ": bad size '" + s + "' (bytes, or a number and B, KB, KiB, MB, MiB, GB, GiB)");
        double b = d * units.at(unit);
        if (b != std::floor(b) || b > 1e18) Fail(at + ": size '" + s + "' is not a whole number of bytes");
        v = (uint64_t)b;
    } else if (n) {
        Fail(at + ": must be a size (an integer, or a string such as \"16KiB\")");
    }
    if (v < lo || v > hi)
        Fail(at + ": " + std::to_string(v) + " bytes is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return v;
}

uint32_t ParseIp(const std::string& s, const std::string& where) {
    unsigned a, b, c, d;
    char tail;
    if (std::sscanf(s.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 || c > 255 ||
        d > 255 || !std::isdigit((unsigned char)s[0]))
        Fail(where + ": bad IPv4 address '" + s + "'");
    return ((uint32_t)a << 24) | ((uint32_t)b << 16) | ((uint32_t)c << 8) | (uint32_t)d;
}

std::string Ip4(uint32_t a) {
    return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." + std::to_string((a >> 8) & 255) +
           "." + std::to_string(a & 255);
}

}  // namespace seqs_sim
