// registry.cpp — see registry.h. Output follows the Prometheus text format
// 0.0.4: https://prometheus.io/docs/instrumenting/exposition_formats/ (the
// test parses it with python3-prometheus-client's parser).
#include "tools/metrics/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace authz::metrics {
namespace {

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_help(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string labels_text(const std::vector<std::string>& names, const std::vector<std::string>& values,
                        const std::string& extra = {}) {
  if (names.empty() && extra.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += (i ? "," : "") + names[i] + "=\"" + escape_label(values[i]) + "\"";
  }
  if (!extra.empty()) out += (names.empty() ? "" : ",") + extra;
  return out + "}";
}

std::string number(double value) { return fmt::format("{}", value); }

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::Counter: return "counter";
    case Kind::Gauge: return "gauge";
    case Kind::Histogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), buckets_(new std::atomic<std::uint64_t>[bounds->size()]) {
  for (std::size_t i = 0; i < bounds->size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe_ns(std::int64_t ns) {
  if (ns < 0) ns = 0;
  const double seconds = static_cast<double>(ns) / 1e9;
  auto at = std::lower_bound(bounds_->begin(), bounds_->end(), seconds);
  if (at != bounds_->end())
    buckets_[static_cast<std::size_t>(at - bounds_->begin())].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(ns, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

template <class Child>
Child& Family<Child>::child_of(std::span<const std::string_view> values) {
  if (values.size() != labels_.size()) {
    throw std::logic_error(
        fmt::format("metric `{}` takes {} label values, not {}", name_, labels_.size(), values.size()));
  }
  {
    std::shared_lock lock(mutex_);
    auto found = children_.find(values);
    if (found != children_.end()) return *found->second;
  }
  std::unique_lock lock(mutex_);
  auto& slot = children_[std::vector<std::string>(values.begin(), values.end())];
  if (!slot) {
    if constexpr (std::is_same_v<Child, Histogram>) {
      slot = std::make_unique<Histogram>(&bounds_);
    } else {
      slot = std::make_unique<Child>();
    }
  }
  return *slot;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

template <class Child>
Family<Child>& Registry::family(std::vector<std::unique_ptr<Family<Child>>>& list, Kind kind, const std::string& name,
                                const std::string& help, std::vector<std::string> labels, std::vector<double> bounds) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& existing : list) {
    if (existing->name_ == name) {
      if (existing->labels_ != labels)
        throw std::logic_error("metric `" + name + "` registered twice with other labels");
      return *existing;
    }
  }
  for (const auto& [other_kind, index] : order_) {
    const std::string& other = other_kind == Kind::Counter ? counters_[index]->name_
                               : other_kind == Kind::Gauge ? gauges_[index]->name_
                                                           : histograms_[index]->name_;
    if (other == name) throw std::logic_error("metric `" + name + "` registered twice as another kind");
  }
  auto made = std::make_unique<Family<Child>>();
  made->name_ = name;
  made->help_ = help;
  made->kind_ = kind;
  made->labels_ = std::move(labels);
  std::sort(bounds.begin(), bounds.end());
  made->bounds_ = std::move(bounds);
  list.push_back(std::move(made));
  order_.emplace_back(kind, list.size() - 1);
  return *list.back();
}

Family<Counter>& Registry::counter(const std::string& name, const std::string& help, std::vector<std::string> labels) {
  return family(counters_, Kind::Counter, name, help, std::move(labels), {});
}
Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help, std::vector<std::string> labels) {
  return family(gauges_, Kind::Gauge, name, help, std::move(labels), {});
}
Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       std::vector<std::string> labels, std::vector<double> bounds) {
  return family(histograms_, Kind::Histogram, name, help, std::move(labels), std::move(bounds));
}

std::string Registry::render() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  auto header = [&](const auto& family) {
    out += "# HELP " + family.name_ + " " + escape_help(family.help_) + "\n";
    out += std::string("# TYPE ") + family.name_ + " " + kind_name(family.kind_) + "\n";
  };
  for (const auto& [kind, index] : order_) {
    if (kind == Kind::Counter) {
      const auto& family = *counters_[index];
      header(family);
      std::shared_lock children(family.mutex_);
      for (const auto& [values, child] : family.children_) {
        out += family.name_ + labels_text(family.labels_, values) + " " + std::to_string(child->value()) + "\n";
      }
    } else if (kind == Kind::Gauge) {
      const auto& family = *gauges_[index];
      header(family);
      std::shared_lock children(family.mutex_);
      for (const auto& [values, child] : family.children_) {
        out += family.name_ + labels_text(family.labels_, values) + " " + std::to_string(child->value()) + "\n";
      }
    } else {
      const auto& family = *histograms_[index];
      header(family);
      std::shared_lock children(family.mutex_);
      for (const auto& [values, child] : family.children_) {
        // Read the count first: buckets observed after it can only make the
        // +Inf bucket (= count) smaller than a finite one, never the reverse,
        // so +Inf is taken as the maximum of both.
        std::uint64_t count = child->count();
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < family.bounds_.size(); ++i) {
          cumulative += child->buckets_[i].load(std::memory_order_relaxed);
          out += family.name_ + "_bucket" +
                 labels_text(family.labels_, values, "le=\"" + number(family.bounds_[i]) + "\"") + " " +
                 std::to_string(cumulative) + "\n";
        }
        count = std::max(count, cumulative);
        out += family.name_ + "_bucket" + labels_text(family.labels_, values, "le=\"+Inf\"") + " " +
               std::to_string(count) + "\n";
        out += family.name_ + "_sum" + labels_text(family.labels_, values) + " " +
               number(static_cast<double>(child->sum_ns_.load(std::memory_order_relaxed)) / 1e9) + "\n";
        out += family.name_ + "_count" + labels_text(family.labels_, values) + " " + std::to_string(count) + "\n";
      }
    }
  }
  return out;
}

}  // namespace authz::metrics
