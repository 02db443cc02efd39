/* SPDX-License-Identifier: BSD-3-Clause */
// sim/series.cc — see series.h.
#include "series.h"

#include <algorithm>

#include "ns3/simulator.h"

namespace seqs_sim {

using namespace ns3;

Series::Series(const std::vector<std::unique_ptr<StackNode>>& nodes, Time step,
               std::function<uint64_t(size_t)> queue_drops)
    : nodes_(nodes), step_(step), queue_drops_(std::move(queue_drops)) {}

void Series::Start() { Simulator::Schedule(Seconds(0), &Series::Sample, this); }

void Series::Sample() {
    double now = Simulator::Now().GetSeconds();
    double dt = t_.empty() ? 0 : now - t_.back();
    t_.push_back(now);
    double in = 0, out = 0, qd = 0, tm = 0;
    last_node_frames_.resize(nodes_.size(), 0);
    std::vector<double> rates;
    rates.reserve(nodes_.size());
    for (size_t i = 0; i < nodes_.size(); i++) {
        const AdapterStats& st = nodes_[i]->stats();
        in += (double)st.frames_in;
        out += (double)st.frames_out;
        tm += (double)st.timer_events;
        qd += (double)queue_drops_(i);
        uint64_t f = st.frames_in + st.frames_out;
        if (dt > 0) rates.push_back((double)(f - last_node_frames_[i]) / dt);
        last_node_frames_[i] = f;
        if (i < kMaxCurves) {
            if (node_frames_.size() <= i) node_frames_.resize(i + 1);
            node_frames_[i].push_back((double)f);
        }
        if (on_node) on_node(i, st.frames_in, st.frames_out);
    }
    in_.push_back(in);
    out_.push_back(out);
    qdrop_.push_back(qd);
    timers_.push_back(tm);
    if (rates.empty()) {
        rate_min_.push_back(0);
        rate_med_.push_back(0);
        rate_max_.push_back(0);
    } else {
        auto mid = rates.begin() + (long)(rates.size() / 2);
        std::nth_element(rates.begin(), mid, rates.end());
        rate_med_.push_back(*mid);
        rate_min_.push_back(*std::min_element(rates.begin(), rates.end()));
        rate_max_.push_back(*std::max_element(rates.begin(), rates.end()));
    }

    std::vector<FlowSample> fs;
    for (auto& n : nodes_)
        for (auto& a : n->apps()) a->SampleFlows(n->name(), fs);
    Flow total;
    double b = 0, rs = 0, rn = 0, lost = 0;
    size_t k = 0;
    for (auto& s : fs) {
        b += s.bytes;
        rs += s.rtt_sum_us;
        rn += s.rtt_n;
        lost += s.lost;
        if (k < kMaxCurves) {
            if (flows_.size() <= k) {
                flows_.resize(k + 1);
                flow_names_.push_back(s.flow);
                // A flow that appears late gets zeros before it existed.
                Flow& f = flows_[k];
                size_t pad = t_.size() - 1;
                f.bytes.assign(pad, 0);
                f.rtt_sum_us.assign(pad, 0);
                f.rtt_n.assign(pad, 0);
                f.srtt_us.assign(pad, -1);
                f.lost.assign(pad, 0);
            }
            Flow& f = flows_[k];
            f.bytes.push_back(s.bytes);
            f.rtt_sum_us.push_back(s.rtt_sum_us);
            f.rtt_n.push_back(s.rtt_n);
            f.srtt_us.push_back(s.srtt_us);
            f.lost.push_back(s.lost);
        }
        k++;
    }
    flow_total_.bytes.push_back(b);
    flow_total_.rtt_sum_us.push_back(rs);
    flow_total_.rtt_n.push_back(rn);
    flow_total_.lost.push_back(lost);
    Simulator::Schedule(step_, &Series::Sample, this);
}

nlohmann::json Series::ToJson() const {
    auto flow = [](const Flow& f) {
        nlohmann::json j = {{"bytes", f.bytes}, {"rtt_sum_us", f.rtt_sum_us}, {"rtt_n", f.rtt_n}, {"lost", f.lost}};
        if (!f.srtt_us.empty()) j["srtt_us"] = f.srtt_us;
        return j;
    };
    nlohmann::json nodes = nlohmann::json::object();
    for (size_t i = 0; i < node_frames_.size(); i++) nodes[nodes_[i]->name()] = node_frames_[i];
    nlohmann::json flows = nlohmann::json::object();
    for (size_t k = 0; k < flows_.size(); k++) flows[flow_names_[k]] = flow(flows_[k]);
    return {{"t", t_},
            {"total", {{"frames_in", in_}, {"frames_out", out_}, {"queue_dropped", qdrop_}, {"timer_events", timers_}}},
            {"node_rate", {{"min", rate_min_}, {"median", rate_med_}, {"max", rate_max_}}},
            {"nodes", nodes},
            {"node_count", nodes_.size()},
            {"flows", flows},
            {"flow_total", flow(flow_total_)}};
}

}  // namespace seqs_sim
