#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

namespace mlbench::loadgen {

// MLPerf early stopping (LoadGen's early_stopping.cc and results.cc), at LoadGen's fixed
// confidence 0.99 and tolerance 0.
//
// A run of n queries, t of them over the latency bound, shows with 99 % confidence that the
// true percentile p is met when P(at most t overlatency queries in n | per-query odds p) < 1 %.
// h(t) is the fewest under-latency queries that make that true.

// P(at most t overlatency queries among h + t), i.e. the regularized incomplete beta
// I_p(h, t + 1), evaluated the way LoadGen evaluates it so that borderline answers agree.
double overlatency_odds(int64_t h, int64_t t, double percentile);

// h(t) for one percentile. LoadGen brackets each binary search with straight lines through the
// answers it already has, so the answer for t can depend on which t were asked before; this
// remembers answers the same way. Use one finder per early-stopping evaluation, as LoadGen does.
class MinPassingQueriesFinder {
 public:
  explicit MinPassingQueriesFinder(double percentile) : percentile_(percentile) {}
  int64_t operator()(int64_t overlatency_count);

 private:
  double percentile_;
  std::map<int64_t, int64_t> known_;  // t -> h(t)
};

// h(t) as a Server evaluation computes it: one fresh finder, one question.
int64_t min_passing_queries(int64_t overlatency_count, double percentile);

// Server: pass iff queries_issued >= h(t) + t with t = #{latency > limit}.
struct ServerEarlyStopping {
  bool met = false;
  int64_t overlatency_count = 0;
  int64_t min_passing = 0;  // h(t)
  std::string text;         // LoadGen's summary text (" * Run successful." ...)
};
ServerEarlyStopping server_early_stopping(std::span<const int64_t> latencies_ns,
                                          int64_t queries_issued, int64_t limit_ns,
                                          double percentile);

// SingleStream: an upper estimate of the percentile, which needs at least h(1) + 1 queries.
struct SingleStreamEarlyStopping {
  bool met = false;
  int64_t estimate_ns = 0;      // at the target percentile; 0 when not met
  bool estimated_p99 = false;   // enough queries for the 99 % estimate too
  int64_t estimate_p99_ns = 0;  // at 99 % (LoadGen's multi-stream inference)
  int64_t discarded = 0;        // highest latencies left out of the estimate
  std::string text;
};
// `sorted_latencies_ns` ascending; LoadGen indexes it with queries_issued.
SingleStreamEarlyStopping single_stream_early_stopping(std::span<const int64_t> sorted_latencies_ns,
                                                       int64_t queries_issued, double percentile);

}  // namespace mlbench::loadgen
