// Encode and decode throughput of a typical event (4-segment type, JSON
// payload of about 60 bytes) in batches of 1000, as a MsgEventsNotify is
// built and parsed, next to memcpy of the same bytes in the same run.
//
// Usage: codec_bench [repeats]   (default 15; medians are printed)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "protocol/chatter_frame.hpp"
#include "protocol/eventer_codec.hpp"

using namespace hat;
using bench_clock = std::chrono::steady_clock;

namespace {

constexpr size_t batch_size = 1000;

eventer::msg_events_notify typical_batch() {
  eventer::msg_events_notify batch;
  for (size_t i = 0; i < batch_size; ++i) {
    event e;
    e.id = {1, 1234, static_cast<int64_t>(i + 1)};
    e.type = {"gateway", "substation_" + std::to_string(i % 10), "breaker",
              "position"};
    e.timestamp = {1'700'000'000 + static_cast<int64_t>(i), 123'456};
    e.source_timestamp = timestamp{1'700'000'000, 1000};
    e.payload = payload_json{"{\"value\": " + std::to_string(i)
                             + ", \"quality\": \"good\", \"cause\": \"spont\"}"};
    batch.events.push_back(std::move(e));
  }
  return batch;
}

/// Median seconds of `repeats` runs of `work`, each run `iterations` times.
template <class Work>
double median_seconds(int repeats, int iterations, Work&& work) {
  std::vector<double> runs;
  for (int r = 0; r < repeats; ++r) {
    auto start = bench_clock::now();
    for (int i = 0; i < iterations; ++i)
      work();
    runs.push_back(
      std::chrono::duration<double>(bench_clock::now() - start).count()
      / iterations);
  }
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
}

/// Keeps the optimiser from dropping work whose result is unused.
void consume(const void* p) {
  asm volatile("" : : "g"(p) : "memory");
}

void report(const char* what, double seconds, size_t bytes,
            double memcpy_seconds) {
  std::printf("%-28s %12.0f events/s %9.1f MB/s   %.3f of memcpy\n", what,
              batch_size / seconds, bytes / seconds / 1e6,
              memcpy_seconds / seconds);
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = argc > 1 ? std::atoi(argv[1]) : 15;
  constexpr int iterations = 200;
  auto batch = typical_batch();

  std::vector<char> encoded;
  eventer::append_encoded(encoded, batch);
  std::printf("batch of %zu events, %zu bytes (%.1f bytes/event)\n",
              batch_size, encoded.size(),
              static_cast<double>(encoded.size()) / batch_size);

  std::vector<char> copy(encoded.size());
  auto memcpy_s = median_seconds(repeats, iterations, [&] {
    std::memcpy(copy.data(), encoded.data(), encoded.size());
    consume(copy.data());
  });
  std::printf("%-28s %12.0f events/s %9.1f MB/s   (ceiling)\n", "memcpy",
              batch_size / memcpy_s, encoded.size() / memcpy_s / 1e6);

  std::vector<char> out;
  out.reserve(encoded.size() + 64);
  auto encode_s = median_seconds(repeats, iterations, [&] {
    out.clear();
    eventer::append_encoded(out, batch);
    consume(out.data());
  });
  report("encode MsgEventsNotify", encode_s, encoded.size(), memcpy_s);

  auto frame_s = median_seconds(repeats, iterations, [&] {
    out.clear();
    chatter::append_frame(out, {5, 5, true, true, true},
                          "HatEventer.MsgEventsNotify",
                          eventer::encoded_size(batch), [&](char* at) {
                            eventer::encode_to(at, batch);
                          });
    consume(out.data());
  });
  report("encode + chatter frame", frame_s, encoded.size(), memcpy_s);

  auto decode_s = median_seconds(repeats, iterations, [&] {
    auto decoded = eventer::decode<eventer::msg_events_notify>(encoded);
    if (!decoded || decoded->events.size() != batch_size)
      std::abort();
    consume(&decoded);
  });
  report("decode MsgEventsNotify", decode_s, encoded.size(), memcpy_s);
  return 0;
}
