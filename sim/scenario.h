/* SPDX-License-Identifier: BSD-3-Clause */
// sim/scenario.h — reading scenario values: every malformed value is a ScenarioError that
// names the key and its line in the TOML file (seqs-sim exits 2 with that message).
//
// `where` is the table's path as the user would find it ("app[3]", "link", "pair[0]");
// a message reads "app[3].interval (line 42): bad time '1.5.3s' (use e.g. 2ms, 1.5s)".
#ifndef SEQS_SIM_SCENARIO_H
#define SEQS_SIM_SCENARIO_H

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>

#include <toml++/toml.h>

#include "ns3/data-rate.h"
#include "ns3/nstime.h"

namespace seqs_sim {

struct ScenarioError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] void Fail(const std::string& msg);

// "where.key (line N)" for t[key] (without the line when the node has no source position).
std::string KeyAt(const toml::table& t, const char* key, const std::string& where);
// " (line N)" of a node, or "".
std::string LineOf(const toml::node& n);

// Fails on a key not in `allowed`.
void CheckKeys(const toml::table& t, std::initializer_list<const char*> allowed, const std::string& where);

std::string Str(const toml::table& t, const char* key, const std::string& def, const std::string& where);
double Num(const toml::table& t, const char* key, double def, const std::string& where);
int64_t Int(const toml::table& t, const char* key, int64_t def, const std::string& where);
// An integer in [lo, hi].
int64_t IntIn(const toml::table& t, const char* key, int64_t def, int64_t lo, int64_t hi, const std::string& where);
bool Bool(const toml::table& t, const char* key, bool def, const std::string& where);

// Times: a decimal number and a unit (ns, us, ms, s, min, h): "2ms", "1.5s". Anything else
// ("1.5.3s", "2 ms", "-1s", "fast") is an error naming `where`.
ns3::Time ParseTime(const std::string& s, const std::string& where);
ns3::Time TimeKey(const toml::table& t, const char* key, const std::string& def, const std::string& where);
// Rates: a decimal number and one of ns-3's DataRate units ("100Mbps", "1.5Gb/s", "64KiB/s").
// Parsed here (ns-3 aborts on a bad string); returns bits per second.
uint64_t ParseRate(const std::string& s, const std::string& where);
ns3::DataRate RateKey(const toml::table& t, const char* key, const std::string& def, const std::string& where);
// Sizes in bytes: an integer, or a string with a unit ("16KiB", "1MB", "1500B").
uint64_t SizeKey(const toml::table& t, const char* key, uint64_t def, uint64_t lo, uint64_t hi,
                 const std::string& where);

uint32_t ParseIp(const std::string& s, const std::string& where);
std::string Ip4(uint32_t a);

}  // namespace seqs_sim

#endif
