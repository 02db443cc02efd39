/* SPDX-License-Identifier: BSD-3-Clause */
// sim/pcapng.h — one pcapng file for a whole simulation: an interface (IDB, named after the
// node) per stack, every frame an Enhanced Packet Block on its node's interface. One open
// file however many nodes (a pcap per node needs one descriptor each: 10,000 nodes do not
// fit `ulimit -n 1024`). Timestamps in microseconds (the pcapng default resolution).
#ifndef SEQS_SIM_PCAPNG_H
#define SEQS_SIM_PCAPNG_H

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace seqs_sim {

class PcapngWriter {
  public:
    PcapngWriter() = default;
    ~PcapngWriter();
    PcapngWriter(const PcapngWriter&) = delete;
    PcapngWriter& operator=(const PcapngWriter&) = delete;

    // Creates path and writes the section header; false (and *err) on failure.
    bool Open(const std::string& path, std::string* err);
    // Declares an Ethernet interface; returns its id. Call before writing frames for it.
    uint32_t AddInterface(const std::string& name);
    void Write(uint32_t ifid, uint64_t ts_us, const uint8_t* frame, uint32_t len);
    // Flushes and closes; false when a write failed at any point.
    bool Close();

  private:
    void Block(uint32_t type, const std::vector<uint8_t>& body);
    std::FILE* f_ = nullptr;
    std::vector<char> iobuf_;
    std::vector<uint8_t> scratch_;
    uint32_t interfaces_ = 0;
    bool ok_ = true;
};

}  // namespace seqs_sim

#endif
