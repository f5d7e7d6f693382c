// inline_vector.h — a vector that keeps its first N elements inside itself.
//
// Contract: behaves like a minimal std::vector (push_back, pop_back, size,
// operator[], clear) for trivially copyable T; allocates on the heap only when
// it grows past N, so the evaluator's common cases (a path with a few dozen
// segments, a glob of a few hundred states) never allocate. Private to the
// runtime.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <vector>

namespace authz::runtime::internal {

template <class T, std::size_t N>
class InlineVector {
  static_assert(std::is_trivially_copyable_v<T>, "InlineVector holds plain values");

 public:
  InlineVector() = default;
  InlineVector(const InlineVector& other) { *this = other; }
  InlineVector& operator=(const InlineVector& other) {
    if (this == &other) return *this;
    clear();
    for (std::size_t i = 0; i < other.size(); ++i) push_back(other[i]);
    return *this;
  }

  void push_back(const T& value) {
    if (!on_heap_) {
      if (size_ < N) {
        new (inline_slot(size_++)) T(value);
        return;
      }
      heap_.assign(data(), data() + size_);
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
  T* data() { return on_heap_ ? heap_.data() : std::launder(reinterpret_cast<T*>(storage_)); }
  const T* data() const { return on_heap_ ? heap_.data() : std::launder(reinterpret_cast<const T*>(storage_)); }
  T& operator[](std::size_t i) { return data()[i]; }
  const T& operator[](std::size_t i) const { return data()[i]; }
  T& back() { return data()[size_ - 1]; }

 private:
  void* inline_slot(std::size_t i) { return storage_ + i * sizeof(T); }

  // Raw storage: nothing is constructed (or zeroed) until it is used, so an
  // unused 2 KiB buffer costs nothing per call.
  alignas(T) unsigned char storage_[N * sizeof(T)];
  std::vector<T> heap_;
  std::size_t size_ = 0;
  bool on_heap_ = false;
};

}  // namespace authz::runtime::internal
