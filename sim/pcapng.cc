/* SPDX-License-Identifier: BSD-3-Clause */
// sim/pcapng.cc — see pcapng.h. Blocks after draft-ietf-opsawg-pcapng: Section Header
// Block, Interface Description Blocks (LINKTYPE_ETHERNET, if_name), Enhanced Packet Blocks;
// host byte order (the byte-order magic tells readers which).
#include "pcapng.h"

#include <cstring>

namespace seqs_sim {

namespace {
constexpr uint32_t kShb = 0x0A0D0D0A, kIdb = 1, kEpb = 6;

void Put16(std::vector<uint8_t>& b, uint16_t v) { b.insert(b.end(), (uint8_t*)&v, (uint8_t*)&v + 2); }
void Put32(std::vector<uint8_t>& b, uint32_t v) { b.insert(b.end(), (uint8_t*)&v, (uint8_t*)&v + 4); }
void Pad4(std::vector<uint8_t>& b) { b.resize((b.size() + 3) & ~size_t(3), 0); }
void Option(std::vector<uint8_t>& b, uint16_t code, const void* data, uint16_t len) {
    Put16(b, code);
    Put16(b, len);
    b.insert(b.end(), (const uint8_t*)data, (const uint8_t*)data + len);
    Pad4(b);
}
}  // namespace

PcapngWriter::~PcapngWriter() { Close(); }

bool PcapngWriter::Open(const std::string& path, std::string* err) {
    f_ = std::fopen(path.c_str(), "wb");
    if (!f_) {
        *err = "cannot create " + path + ": " + std::strerror(errno);
        return false;
    }
    iobuf_.resize(1 << 20);
    std::setvbuf(f_, iobuf_.data(), _IOFBF, iobuf_.size());
    std::vector<uint8_t> b;
    Put32(b, 0x1A2B3C4D);        // byte-order magic
    Put16(b, 1);                 // version 1.0
    Put16(b, 0);
    Put32(b, 0xFFFFFFFF);        // section length: not specified
    Put32(b, 0xFFFFFFFF);
    const char app[] = "seqs-sim (ns-3)";
    Option(b, 4, app, sizeof app - 1);   // shb_userappl
    Option(b, 0, nullptr, 0);            // opt_endofopt
    Block(kShb, b);
    return ok_;
}

uint32_t PcapngWriter::AddInterface(const std::string& name) {
    std::vector<uint8_t> b;
    Put16(b, 1);   // LINKTYPE_ETHERNET
    Put16(b, 0);
    Put32(b, 0);   // snaplen: no limit
    Option(b, 2, name.data(), (uint16_t)std::min<size_t>(name.size(), 0xFFFF));   // if_name
    Option(b, 0, nullptr, 0);
    Block(kIdb, b);
    return interfaces_++;
}

void PcapngWriter::Write(uint32_t ifid, uint64_t ts_us, const uint8_t* frame, uint32_t len) {
    if (!f_) return;
    std::vector<uint8_t>& b = scratch_;
    b.clear();
    Put32(b, ifid);
    Put32(b, (uint32_t)(ts_us >> 32));
    Put32(b, (uint32_t)ts_us);
    Put32(b, len);   // captured
    Put32(b, len);   // on the wire
    b.insert(b.end(), frame, frame + len);
    Pad4(b);
    Block(kEpb, b);
}

void PcapngWriter::Block(uint32_t type, const std::vector<uint8_t>& body) {
    if (!f_) return;
    uint32_t total = (uint32_t)body.size() + 12;
    ok_ = ok_ && std::fwrite(&type, 4, 1, f_) == 1 && std::fwrite(&total, 4, 1, f_) == 1 &&
          (body.empty() || std::fwrite(body.data(), body.size(), 1, f_) == 1) && std::fwrite(&total, 4, 1, f_) == 1;
}

bool PcapngWriter::Close() {
    if (!f_) return ok_;
    ok_ = std::fclose(f_) == 0 && ok_;
    f_ = nullptr;
    return ok_;
}

}  // namespace seqs_sim
