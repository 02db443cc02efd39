/* SPDX-License-Identifier: BSD-3-Clause */
// sim/series.h — time series of a run for `seqs-sim --plot DIR` (and NetAnim's node
// counters): every `step` of simulated time (seqs-sim: duration / 1000, at least 1 ms), the adapters' frame counts, queue drops and
// each app flow's state (FlowSample) are sampled; plot_series.py turns series.json into PNGs.
// Per-node and per-flow curves are kept for the first kMaxCurves nodes and flows; over all
// nodes, the run keeps totals and the spread (min, median, max) of per-node frame rates.
#ifndef SEQS_SIM_SERIES_H
#define SEQS_SIM_SERIES_H

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "ns3/nstime.h"
#include "seqs_ns3.h"

namespace seqs_sim {

class Series {
  public:
    static constexpr size_t kMaxCurves = 24;
    // queue_drops(i): queue drops so far that concern node i.
    Series(const std::vector<std::unique_ptr<StackNode>>& nodes, ns3::Time step,
           std::function<uint64_t(size_t)> queue_drops);
    void Start();                       // the first sample at time 0
    nlohmann::json ToJson() const;      // what plot_series.py reads
    // Called after each sample with node i's frames in and out so far (NetAnim counters).
    std::function<void(size_t i, uint64_t in, uint64_t out)> on_node;

  private:
    void Sample();
    const std::vector<std::unique_ptr<StackNode>>& nodes_;
    ns3::Time step_;
    std::function<uint64_t(size_t)> queue_drops_;
    std::vector<double> t_;
    std::vector<double> in_, out_, qdrop_, timers_;          // totals, cumulative
    std::vector<double> rate_min_, rate_med_, rate_max_;    // per-node frames per second, this step
    std::vector<uint64_t> last_node_frames_;
    std::vector<std::vector<double>> node_frames_;          // first kMaxCurves nodes, cumulative
    struct Flow {
        std::vector<double> bytes, rtt_sum_us, rtt_n, srtt_us, lost;
    };
    std::vector<std::string> flow_names_;
    std::vector<Flow> flows_;                               // first kMaxCurves flows
    Flow flow_total_;                                       // summed over every flow
};

}  // namespace seqs_sim

#endif
