// small_vector.h — a vector that keeps its first N elements inside itself.
//
// Contract: behaves like a minimal std::vector (push_back, pop_back, resize,
// reserve, assign, clear, size, operator[], front, back, iteration, ==) for
// trivially copyable T, and allocates on the heap only when it grows past N.
// Two uses: the Model's small per-node and per-rule lists (operands, role-set
// words), where a 100k-rule table would otherwise make a quarter of a million
// tiny heap blocks; and the evaluator's scratch buffers, where the common case
// (a path with a few dozen segments, a glob of a few hundred states) must not
// allocate at all. Inline storage is raw: nothing is constructed or zeroed
// until it is used, so an unused 2 KiB buffer costs nothing.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>

namespace authz::runtime {

template <class T, std::size_t N>
class SmallVector {
  static_assert(std::is_trivially_copyable_v<T>, "SmallVector holds plain values");
  static_assert(N >= 1 && N <= 0xFFFFFFFFu, "SmallVector needs an inline capacity of at least one");

 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  SmallVector() noexcept {}
  SmallVector(std::initializer_list<T> values) { assign(values.begin(), values.end()); }
  SmallVector(const SmallVector& other) { assign(other.begin(), other.end()); }
  SmallVector(SmallVector&& other) noexcept { take(other); }
  SmallVector& operator=(const SmallVector& other) {
    if (this != &other) assign(other.begin(), other.end());
    return *this;
  }
  SmallVector& operator=(SmallVector&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  SmallVector& operator=(std::initializer_list<T> values) {
    assign(values.begin(), values.end());
    return *this;
  }
  ~SmallVector() { release(); }

  void assign(const T* first, const T* last) {
    auto count = static_cast<std::size_t>(last - first);
    size_ = 0;
    reserve(count);
    if (count > 0) std::memcpy(static_cast<void*>(data()), first, count * sizeof(T));
    size_ = static_cast<std::uint32_t>(count);
  }
  void reserve(std::size_t count) {
    if (count <= capacity_) return;
    if (count > 0xFFFFFFFFu) throw std::length_error("SmallVector too large");
    std::uint32_t kept = size_;
    T* grown = std::allocator<T>().allocate(count);
    if (kept > 0) std::memcpy(static_cast<void*>(grown), data(), kept * sizeof(T));
    release();
    heap_ = grown;
    capacity_ = static_cast<std::uint32_t>(count);
    size_ = kept;
  }
  void push_back(const T& value) {
    if (size_ == capacity_) {
      T copy = value;  // `value` may live in the buffer that grows
      reserve(std::size_t{capacity_} * 2);
      new (data() + size_) T(copy);
    } else {
      new (data() + size_) T(value);
    }
    ++size_;
  }
  void pop_back() { --size_; }
  // Grows to `count` elements, new ones set to `fill`; or shrinks.
  void resize(std::size_t count, const T& fill = T()) {
    if (count > size_) {
      reserve(std::max<std::size_t>(count, std::size_t{size_} * 2));
      for (std::size_t i = size_; i < count; ++i) new (data() + i) T(fill);
    }
    size_ = static_cast<std::uint32_t>(count);
  }
  void clear() { size_ = 0; }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return on_heap() ? heap_ : std::launder(reinterpret_cast<T*>(storage_)); }
  const T* data() const { return on_heap() ? heap_ : std::launder(reinterpret_cast<const T*>(storage_)); }
  T& operator[](std::size_t i) { return data()[i]; }
  const T& operator[](std::size_t i) const { return data()[i]; }
  T& front() { return data()[0]; }
  const T& front() const { return data()[0]; }
  T& back() { return data()[size_ - 1]; }
  const T& back() const { return data()[size_ - 1]; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }

  friend bool operator==(const SmallVector& a, const SmallVector& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  bool on_heap() const { return capacity_ > N; }
  void release() {
    if (on_heap()) std::allocator<T>().deallocate(heap_, capacity_);
    capacity_ = static_cast<std::uint32_t>(N);
    size_ = 0;
  }
  // Leaves `other` empty and inline.
  void take(SmallVector& other) noexcept {
    if (other.on_heap()) {
      heap_ = other.heap_;
    } else {
      std::memcpy(storage_, other.storage_, other.size_ * sizeof(T));
    }
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.size_ = 0;
    other.capacity_ = static_cast<std::uint32_t>(N);
  }

  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = static_cast<std::uint32_t>(N);
  union {
    alignas(T) unsigned char storage_[N * sizeof(T)];
    T* heap_;
  };
};

}  // namespace authz::runtime
