// inline_vector.h — a vector that keeps its first N elements inside itself.
//
// Contract: behaves like a minimal std::vector (push_back, pop_back, size,
// operator[], clear) for trivially copyable T; allocates on the heap only when
// it grows past N, so the evaluator's common cases (a path with a few dozen
// segments, a glob of a few hundred states) never allocate. Private to the
// runtime.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

namespace authz::runtime::internal {

template <class T, std::size_t N>
class InlineVector {
 public:
  void push_back(const T& value) {
    if (!on_heap_) {
      if (size_ < N) {
        inline_[size_++] = value;
        return;
      }
      heap_.assign(inline_.begin(), inline_.begin() + size_);
      on_heap_ = true;
    }
    heap_.push_back(value);
    ++size_;
  }
  void pop_back() {
    --size_;
    if (on_heap_) heap_.pop_back();
  }
  // Grows to `count` elements, new ones set to `fill`.
  void resize(std::size_t count, const T& fill) {
    while (size_ < count) push_back(fill);
    while (size_ > count) pop_back();
  }
  void clear() {
    size_ = 0;
    heap_.clear();
    on_heap_ = false;
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return on_heap_ ? heap_.data() : inline_.data(); }
  const T* data() const { return on_heap_ ? heap_.data() : inline_.data(); }
  T& operator[](std::size_t i) { return data()[i]; }
  const T& operator[](std::size_t i) const { return data()[i]; }
  T& back() { return data()[size_ - 1]; }

 private:
  std::array<T, N> inline_{};
  std::vector<T> heap_;
  std::size_t size_ = 0;
  bool on_heap_ = false;
};

}  // namespace authz::runtime::internal
