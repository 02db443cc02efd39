/* SPDX-License-Identifier: BSD-3-Clause */
// sim/app_http.cc — [[app]] types "http-server" and "http-get" on seqs/http.h.
//
//   [[app]] type = "http-server"  on = "srv"  port = 80  bytes = 200000  max_conns = 6  buf = 2048
//   serves GET /file: `bytes` of a deterministic pattern (Content-Length, streamed).
//   [[app]] type = "http-get"  on = "c*"  targets = ["srv"]  port = 80  repeat = 3  timeout = "20s"
//   GETs /file `repeat` times on one kept-alive connection, checks every byte against the
//   pattern, and reports per client completion time and goodput.
// Both are the core's server/client, attached to the node's stack with seqs/app.h; the
// adapter already schedules the stack's deadline, which includes theirs.
// Metrics: http.completed, http.failed, http.bytes, http.bad_bytes, http.connects,
// http.server_requests.
#include <cstring>
#include <memory>

#include "app_registry.h"

extern "C" {
#include "seqs/http.h"
}

namespace {

using seqs_sim::Fail;

uint8_t PatternByte(uint64_t i) { return (uint8_t)((i * 131u + (i >> 8)) & 0xFF); }

class HttpServerApp : public seqs_sim::App {
  public:
    HttpServerApp(uint16_t port, uint64_t bytes, unsigned max_conns, uint32_t buf, uint32_t tcpbuf)
        : port_(port), bytes_(bytes), max_conns_(max_conns), buf_(buf), tcpbuf_(tcpbuf) {}

    void Start(seqs_sim::StackNode& node) override {
        conns_.resize(max_conns_);
        bufs_.assign((size_t)max_conns_ * buf_, 0);
        pool_.assign((size_t)(max_conns_ + 1) * 2 * tcpbuf_, 0);
        seqs_http_server_config_t cfg;
        seqs_http_server_config_default(&cfg);
        cfg.port = port_;
        cfg.backlog = max_conns_;
        cfg.conns = conns_.data();
        cfg.max_conns = max_conns_;
        cfg.bufs = bufs_.data();
        cfg.buf_size = buf_;
        cfg.tcp_pool = pool_.data();
        cfg.tcp_pool_len = pool_.size();
        cfg.tcp_rx = tcpbuf_;
        cfg.tcp_tx = tcpbuf_;
        error_ = seqs_http_server_start(&srv_, node.stack(), &cfg);
        if (error_ == SEQS_OK) error_ = seqs_http_server_route(&srv_, SEQS_HTTP_GET, "/file", &HttpServerApp::File, this);
        started_ = error_ == SEQS_OK;
    }
    void OnStackEvent(seqs_sim::StackNode&) override {}
    nlohmann::json Results() const override {
        const seqs_http_server_counters_t& c = srv_.counters;
        nlohmann::json j = {{"port", port_}, {"bytes", bytes_}, {"conns_accepted", c.conns_accepted},
                            {"conns_rejected", c.conns_rejected}, {"requests", c.requests},
                            {"responses", c.responses}, {"request_timeouts", c.request_timeouts},
                            {"idle_closes", c.idle_closes}, {"peer_resets", c.peer_resets},
                            {"conn_errors", c.conn_errors},
                            {"ram_per_conn", sizeof(seqs_http_sconn_t) + buf_}};
        if (error_) j["error"] = seqs_strerror(error_);
        return j;
    }
    std::string Type() const override { return "http-server"; }
    void AddMetrics(std::map<std::string, double>& m) const override {
        m["http.server_requests"] += srv_.counters.requests;
        m["http.server_errors"] += srv_.counters.conn_errors + (error_ ? 1 : 0);
    }

  private:
    static int Source(void* ctx, uint64_t off, uint8_t* dst, size_t cap) {
        auto* self = static_cast<HttpServerApp*>(ctx);
        uint64_t left = self->bytes_ - off;
        size_t n = (size_t)std::min<uint64_t>(left, cap);
        for (size_t i = 0; i < n; i++) dst[i] = PatternByte(off + i);
        return (int)n;
    }
    static void File(seqs_http_server_t*, seqs_http_sconn_t* c, const seqs_http_msg_t*, const uint8_t*, size_t,
                     void* user) {
        auto* self = static_cast<HttpServerApp*>(user);
        seqs_http_respond_stream(c, 200, "Content-Type: application/octet-stream\r\n", (int64_t)self->bytes_,
                                 &HttpServerApp::Source, self);
    }

    uint16_t port_;
    uint64_t bytes_;
    unsigned max_conns_;
    uint32_t buf_, tcpbuf_;
    std::vector<seqs_http_sconn_t> conns_;
    std::vector<uint8_t> bufs_, pool_;
    seqs_http_server_t srv_{};
    int error_ = 0;
    bool started_ = false;
};

class HttpGetApp : public seqs_sim::App {
  public:
    HttpGetApp(seqs_sim::PingTarget target, uint16_t port, uint32_t repeat, uint32_t timeout_ms, uint32_t buf)
        : target_(std::move(target)), port_(port), repeat_(repeat), timeout_ms_(timeout_ms), buf_(buf) {}

    void Start(seqs_sim::StackNode& node) override {
        mem_.assign(buf_ + 16384 + 2048, 0);
        start_us_ = seqs_sim::StackNode::NowUs();
        error_ = seqs_http_client_init(&cl_, node.stack(), target_.addr, port_, mem_.data(), buf_,
                                       mem_.data() + buf_, 16384, mem_.data() + buf_ + 16384, 2048, timeout_ms_);
        if (error_ == SEQS_OK) Next(node);
        else failed_++;
    }
    void OnStackEvent(seqs_sim::StackNode& node) override {
        if (!active_) return;
        uint8_t chunk[4096];
        for (;;) {
            int n = seqs_http_client_read(&cl_, chunk, sizeof chunk);
            if (n > 0) {
                for (int i = 0; i < n; i++)
                    if (chunk[i] != PatternByte(got_ + (uint64_t)i)) bad_++;
                got_ += (uint64_t)n;
                bytes_ += (uint64_t)n;
                continue;
            }
            if (n == SEQS_ERR_AGAIN) return;
            uint64_t now = seqs_sim::StackNode::NowUs();
            const seqs_http_msg_t* m = seqs_http_client_response(&cl_);
            if (n == 0 && m && m->status == 200 && got_ == m->content_length) {
                done_++;
                req_us_.push_back(now - req_start_us_);
            } else {
                failed_++;
                error_ = n ? n : SEQS_HTTP_ERR_PROTO;
            }
            last_us_ = now;
            if (done_ + failed_ < repeat_) Next(node);
            else active_ = false;
            return;
        }
    }
    nlohmann::json Results() const override {
        nlohmann::json j = {{"target", target_.name}, {"repeat", repeat_},   {"completed", done_},
                            {"failed", failed_},      {"bytes", bytes_},     {"bad_bytes", bad_},
                            {"connects", cl_.counters.connects}, {"reused", cl_.counters.reused},
                            {"request_us", req_us_}};
        if (last_us_ > start_us_) {
            j["completion_us"] = last_us_ - start_us_;
            j["goodput_bps"] = (double)bytes_ * 8.0 * 1e6 / (double)(last_us_ - start_us_);
        }
        if (error_) j["error"] = seqs_http_strerror(error_);
        return j;
    }
    std::string Type() const override { return "http-get"; }
    void AddMetrics(std::map<std::string, double>& m) const override {
        m["http.completed"] += done_;
        m["http.failed"] += failed_ + (active_ ? (repeat_ - done_ - failed_) : 0);
        m["http.bytes"] += (double)bytes_;
        m["http.bad_bytes"] += (double)bad_;
        m["http.connects"] += cl_.counters.connects;
    }

  private:
    void Next(seqs_sim::StackNode& node) {
        got_ = 0;
        req_start_us_ = seqs_sim::StackNode::NowUs();
        seqs_stack_poll(node.stack(), req_start_us_);
        int r = seqs_http_client_request(&cl_, "GET", "/file", nullptr, nullptr, nullptr, 0, req_start_us_);
        if (r != SEQS_OK) {
            error_ = r;
            failed_++;
            active_ = false;
            return;
        }
        active_ = true;
        node.Kick();
    }

    seqs_sim::PingTarget target_;
    uint16_t port_;
    uint32_t repeat_, timeout_ms_, buf_;
    std::vector<uint8_t> mem_;
    seqs_http_client_t cl_{};
    bool active_ = false;
    int error_ = 0;
    uint32_t done_ = 0, failed_ = 0;
    uint64_t got_ = 0, bytes_ = 0, bad_ = 0;
    uint64_t start_us_ = 0, last_us_ = 0, req_start_us_ = 0;
    std::vector<uint64_t> req_us_;
};

void BuildServer(const seqs_sim::AppSpec& spec, seqs_sim::ScenarioContext& ctx) {
    const toml::table& t = spec.t;
    const std::string& where = spec.where;
    seqs_sim::CheckKeys(t, {"type", "on", "start", "port", "bytes", "max_conns", "buf", "tcpbuf"}, where);
    auto port = (uint16_t)seqs_sim::IntIn(t, "port", 80, 1, 65535, where);
    uint64_t bytes = seqs_sim::SizeKey(t, "bytes", 100000, 0, UINT64_C(1) << 34, where);
    auto mc = (unsigned)seqs_sim::IntIn(t, "max_conns", 4, 1, 64, where);
    auto buf = (uint32_t)seqs_sim::SizeKey(t, "buf", 2048, 2 * SEQS_HTTP_TX_RESERVE, 65535, where);
    auto tcpbuf = (uint32_t)seqs_sim::SizeKey(t, "tcpbuf", 8192, 536, 1 << 20, where);
    for (size_t i : spec.on)
        ctx.StackAt(i).AddApp(std::make_unique<HttpServerApp>(port, bytes, mc, buf, tcpbuf), spec.start);
}

void BuildGet(const seqs_sim::AppSpec& spec, seqs_sim::ScenarioContext& ctx) {
    const toml::table& t = spec.t;
    const std::string& where = spec.where;
    seqs_sim::CheckKeys(t, {"type", "on", "start", "port", "targets", "repeat", "timeout", "buf"}, where);
    auto port = (uint16_t)seqs_sim::IntIn(t, "port", 80, 1, 65535, where);
    auto repeat = (uint32_t)seqs_sim::IntIn(t, "repeat", 1, 1, 100000, where);
    ns3::Time timeout = seqs_sim::TimeKey(t, "timeout", "20s", where);
    auto buf = (uint32_t)seqs_sim::SizeKey(t, "buf", 1024, 2 * SEQS_HTTP_TX_RESERVE, 65535, where);
    auto* targets = t["targets"].as_array();
    if (!targets || targets->empty()) Fail(where + ": needs 'targets' (an array of node names)");
    for (size_t i : spec.on)
        for (auto& tg : ctx.Targets(i, *targets, where))
            ctx.StackAt(i).AddApp(std::make_unique<HttpGetApp>(tg, port, repeat,
                                                               (uint32_t)timeout.GetMilliSeconds(), buf),
                                  spec.start);
}

SEQS_SIM_APP("http-server", BuildServer);
SEQS_SIM_APP("http-get", BuildGet);

}  // namespace
