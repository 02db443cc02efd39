/* SPDX-License-Identifier: BSD-3-Clause */
// sim/app_registry.h — the seam for per-node applications in seqs-sim.
//
// Each `[[app]] type = "..."` of a scenario is built by a factory registered under that
// type name. A factory lives in its own file sim/app_<name>.cc (CMake globs them into
// seqs-sim; no other file changes), reads its keys from the TOML table with the strict
// readers of scenario.h (a bad value is a scenario error with key and line), and adds one
// seqs_sim::App per node in `spec.on`:
//
//   namespace {
//   void Build(const seqs_sim::AppSpec& spec, seqs_sim::ScenarioContext& ctx) {
//       seqs_sim::CheckKeys(spec.t, {"type", "on", "start", "port"}, spec.where);
//       auto port = (uint16_t)seqs_sim::IntIn(spec.t, "port", 67, 1, 65535, spec.where);
//       for (size_t i : spec.on) ctx.StackAt(i).AddApp(std::make_unique<MyApp>(port), spec.start);
//   }
//   SEQS_SIM_APP("my-app", Build);
//   }
//
// An App (seqs_ns3.h) gets Start() at its start time and OnStackEvent() after every frame
// or timer its stack processed; Results() goes into the node's JSON, AddMetrics() into the
// run's aggregate `metrics` (usable by [[expect]]). An app written on the core's
// application hook (seqs/app.h) attaches its seqs_app_t in Start(): the stack then polls it
// and its deadline is part of the stack's next deadline, which the adapter already
// schedules, so nothing else is needed for its timers.
#ifndef SEQS_SIM_APP_REGISTRY_H
#define SEQS_SIM_APP_REGISTRY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "ns3/nstime.h"
#include "scenario.h"
#include "seqs_ns3.h"

namespace seqs_sim {

// What a factory may ask of the scenario being built.
class ScenarioContext {
  public:
    virtual ~ScenarioContext() = default;
    virtual size_t NodeCount() const = 0;
    virtual const std::string& NodeName(size_t i) const = 0;
    virtual uint32_t NodeAddr(size_t i) const = 0;   // 0 = no static address
    virtual uint8_t NodePrefix(size_t i) const = 0;
    virtual StackNode& StackAt(size_t i) = 0;
    // Resolves a `targets` array for node i: names, "+K" (K places later, wrapping),
    // "random:K" (K distinct other nodes, from the seed), IPv4 literals.
    virtual std::vector<PingTarget> Targets(size_t i, const toml::array& targets, const std::string& where) = 0;
    // Declares that the app's results are complete by `t` (simulated time): a scenario whose
    // duration ends earlier is an error.
    virtual void DueBy(ns3::Time t) = 0;
};

// One [[app]] table.
struct AppSpec {
    const toml::table& t;
    std::string where;          // "app[3]"
    std::string type;
    ns3::Time start;            // its `start` key (default 0s)
    std::vector<size_t> on;     // node indices from its `on` key
};

using AppFactory = void (*)(const AppSpec& spec, ScenarioContext& ctx);

// Registers a factory (at static initialisation). Two registrations of one type abort.
struct AppRegistration {
    AppRegistration(const char* type, AppFactory f);
};
// The factory for a type, or nullptr; every registered type, sorted.
AppFactory FindAppFactory(const std::string& type);
std::vector<std::string> AppTypes();

}  // namespace seqs_sim

#define SEQS_SIM_APP_CAT2(a, b) a##b
#define SEQS_SIM_APP_CAT(a, b) SEQS_SIM_APP_CAT2(a, b)
#define SEQS_SIM_APP(type, factory) \
    static const ::seqs_sim::AppRegistration SEQS_SIM_APP_CAT(seqs_sim_app_reg_, __LINE__)(type, factory)

#endif
