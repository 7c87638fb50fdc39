// Microbenchmarks of the ingest hot path's CPU work outside the database: decoding and
// validating a batch, and encoding it for binary COPY. Input: the first lines of a
// gen-events json-batches file (EVENTLINE_BENCH_BATCHES, default generated into /tmp).

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "decode/batch_decoder.hpp"
#include "storage/copy_encoder.hpp"

namespace {

using eventline::decode::BatchDecoder;
using eventline::decode::DecodedBatch;

constexpr eventline::event::UnixMicros kNow = 1'800'000'000'000'000;

std::vector<simdjson::padded_string> load_batches() {
    const char* path = std::getenv("EVENTLINE_BENCH_BATCHES");
    if (path == nullptr) {
        throw std::runtime_error("set EVENTLINE_BENCH_BATCHES to a gen-events json-batches file");
    }
    std::ifstream file(path);
    std::vector<simdjson::padded_string> batches;
    std::string line;
    while (batches.size() < 20 && std::getline(file, line)) {
        batches.emplace_back(line);
    }
    return batches;
}

const std::vector<simdjson::padded_string>& batches() {
    static const std::vector<simdjson::padded_string> loaded = load_batches();
    return loaded;
}

void DecodeAndValidate(benchmark::State& state) {
    BatchDecoder decoder(10'000, {});
    DecodedBatch batch;
    std::size_t events = 0;
    std::size_t bytes = 0;
    for (auto _ : state) {
        for (const auto& body : batches()) {
            decoder.decode(body, kNow, batch);
            events += batch.size;
            bytes += body.size();
        }
    }
    state.counters["ns_per_event"] =
        benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate |
                                                            benchmark::Counter::kInvert);
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(DecodeAndValidate)->Unit(benchmark::kMillisecond);

void EncodeBinaryCopy(benchmark::State& state) {
    BatchDecoder decoder(10'000, {});
    DecodedBatch batch;
    decoder.decode(batches().front(), kNow, batch);
    eventline::storage::CopyEncoder encoder;
    std::size_t events = 0;
    for (auto _ : state) {
        encoder.begin();
        for (const auto& event : batch.events) {
            encoder.add(event);
        }
        benchmark::DoNotOptimize(encoder.finish());
        events += batch.events.size();
    }
    state.counters["ns_per_event"] =
        benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate |
                                                            benchmark::Counter::kInvert);
}
BENCHMARK(EncodeBinaryCopy)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
