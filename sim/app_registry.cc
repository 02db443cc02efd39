/* SPDX-License-Identifier: BSD-3-Clause */
// sim/app_registry.cc — the table of [[app]] types (see app_registry.h).
#include "app_registry.h"

#include <cstdio>
#include <cstdlib>
#include <map>

namespace seqs_sim {

namespace {
// A function-local static: registrations run during static initialisation of other files.
std::map<std::string, AppFactory>& Table() {
    static std::map<std::string, AppFactory> t;
    return t;
}
}  // namespace

AppRegistration::AppRegistration(const char* type, AppFactory f) {
    if (!Table().emplace(type, f).second) {
        std::fprintf(stderr, "seqs-sim: app type '%s' registered twice\n", type);
        std::abort();
    }
}

AppFactory FindAppFactory(const std::string& type) {
    auto it = Table().find(type);
    return it == Table().end() ? nullptr : it->second;
}

std::vector<std::string> AppTypes() {
    std::vector<std::string> v;
    for (auto& [k, f] : Table()) v.push_back(k);
    return v;
}

}  // namespace seqs_sim
