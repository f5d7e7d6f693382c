// registry.h — a small metrics registry that writes the Prometheus text
// exposition format (version 0.0.4): counters, gauges and histograms, each a
// family of children keyed by label values. Not part of authz::runtime.
//
// Contract:
//   - Families are created once (counter/gauge/histogram) with a name, help
//     text and label names, and live as long as the Registry; creating a
//     family with a name already used returns the existing one if the kind
//     and labels match, else throws std::logic_error (a programming error).
//   - child(values...) finds or creates the child for those label values
//     (as many as label names); children are never removed. Updating a child
//     (inc, set, observe) is lock-free and thread-safe; child() finds an
//     existing child under a shared lock without allocating, and takes the
//     family's lock exclusively only to create one. Label values are escaped on output (\\, \", \n), so any text
//     is safe as a value; keep their number bounded (never user input).
//   - render() writes every family in creation order, children in label
//     order: `# HELP`, `# TYPE`, then the samples; histograms as cumulative
//     `_bucket{le=...}` (with +Inf), `_sum` and `_count`. Counter names end
//     in `_total`. Thread-safe; a scrape sees each value atomically, not the
//     whole registry at one instant.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace authz::metrics {

class Counter {
 public:
  void inc(std::uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(std::int64_t value) { value_.store(value, std::memory_order_relaxed); }
  void add(std::int64_t by) { value_.fetch_add(by, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// Observations in seconds, kept as nanoseconds (exact sums).
class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds);
  void observe_ns(std::int64_t ns);
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  friend class Registry;
  const std::vector<double>* bounds_;                      // upper bounds in seconds, ascending
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // not cumulative; one per bound
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::int64_t> sum_ns_{0};
};

enum class Kind { Counter, Gauge, Histogram };

// Orders label-value lists of strings or views alike, so a child is found by
// views without building its key.
struct LabelsLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [](std::string_view x, std::string_view y) { return x < y; });
  }
};

template <class Child>
class Family {
 public:
  template <class... Values>
  Child& child(const Values&... values) {
    const std::string_view key[sizeof...(Values) + 1] = {std::string_view(values)..., {}};
    return child_of(std::span<const std::string_view>(key, sizeof...(Values)));
  }
  Child& child_of(std::span<const std::string_view> values);

 private:
  friend class Registry;
  std::string name_, help_;
  Kind kind_ = Kind::Counter;
  std::vector<std::string> labels_;
  std::vector<double> bounds_;  // histograms
  mutable std::shared_mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Child>, LabelsLess> children_;
};

class Registry {
 public:
  Family<Counter>& counter(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
  Family<Gauge>& gauge(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
  Family<Histogram>& histogram(const std::string& name, const std::string& help, std::vector<std::string> labels,
                               std::vector<double> bounds);
  std::string render() const;

 private:
  template <class Child>
  Family<Child>& family(std::vector<std::unique_ptr<Family<Child>>>& list, Kind kind, const std::string& name,
                        const std::string& help, std::vector<std::string> labels, std::vector<double> bounds);
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family<Counter>>> counters_;
  std::vector<std::unique_ptr<Family<Gauge>>> gauges_;
  std::vector<std::unique_ptr<Family<Histogram>>> histograms_;
  std::vector<std::pair<Kind, std::size_t>> order_;  // creation order: kind, index in its list
};

}  // namespace authz::metrics
