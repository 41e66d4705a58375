// Checked reading of an addon call's arguments. Every read states what the argument must be; the first one
// that is not throws a JavaScript TypeError (wrong type) or RangeError (wrong size or value) that names the
// function and the argument, and every later read is a no-op, so a function reads all its arguments, then
// returns at once when !ok(). Sizes are integers in [0, 2^31) and every product of sizes is checked for
// overflow, so no length derived from the arguments can wrap around and no kernel runs on arrays shorter than
// the geometry it is given implies.
#pragma once
#include <node_api.h>

#include <cmath>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>

namespace sparsevd {

// The largest size (and the largest magnitude of a signed geometry value, such as padding) an argument may have.
constexpr int64_t kMaxSize = (int64_t{1} << 31) - 1;
// The largest number of elements a product of sizes may reach (2^40 floats: 4 TiB, far beyond any array).
constexpr int64_t kMaxElements = int64_t{1} << 40;

// A Float32Array (or Uint8Array) argument: its data and length in elements; data is null for an absent optional one.
template <typename T>
struct Span {
  T* data = nullptr;
  int64_t length = 0;
};

class Args {
 public:
  // Reads the call's arguments; exactly `count` must be given.
  Args(napi_env env, napi_callback_info info, const char* fn, size_t count) : env_(env), fn_(fn) {
    size_t argc = kMax;
    if (napi_get_cb_info(env, info, &argc, argv_, nullptr, nullptr) != napi_ok) {
      Fail(true, "cannot read its arguments");
    } else if (count > kMax || argc != count) {
      Fail(true, "takes %zu arguments, got %zu", count, argc);
    }
    count_ = count;
  }

  bool ok() const { return ok_; }
  napi_env env() const { return env_; }
  const char* fn() const { return fn_; }
  napi_value raw(size_t i) const { return i < count_ ? argv_[i] : nullptr; }

  // An integer number in [lo, hi] (a size: [0, kMaxSize] by default).
  int64_t Int(size_t i, const char* name, int64_t lo = 0, int64_t hi = kMaxSize) { return IntOf(raw(i), name, lo, hi); }

  // A number; finite unless allowed otherwise.
  double Number(size_t i, const char* name, bool finite = true) {
    if (!ok_) return 0;
    double out = 0;
    if (!IsType(raw(i), napi_number) || napi_get_value_double(env_, raw(i), &out) != napi_ok) {
      Fail(true, "%s must be a number", name);
      return 0;
    }
    if (finite && !std::isfinite(out)) {
      Fail(false, "%s must be finite, got %g", name, out);
      return 0;
    }
    return out;
  }

  bool Bool(size_t i, const char* name) {
    if (!ok_) return false;
    bool out = false;
    if (!IsType(raw(i), napi_boolean) || napi_get_value_bool(env_, raw(i), &out) != napi_ok) Fail(true, "%s must be a boolean", name);
    return out;
  }

  // A string (UTF-16, as JavaScript holds it).
  std::u16string String(size_t i, const char* name) {
    std::u16string out;
    if (!ok_) return out;
    size_t length = 0;
    if (!IsType(raw(i), napi_string) || napi_get_value_string_utf16(env_, raw(i), nullptr, 0, &length) != napi_ok) {
      Fail(true, "%s must be a string", name);
      return out;
    }
    out.resize(length);
    if (napi_get_value_string_utf16(env_, raw(i), out.data(), length + 1, &length) != napi_ok) Fail(true, "%s: cannot read the string", name);
    return out;
  }

  // A Float32Array; with `optional`, also undefined or null (then data is null and length 0).
  Span<float> Floats(size_t i, const char* name, bool optional = false) { return Typed<float>(raw(i), name, napi_float32_array, "Float32Array", optional); }
  Span<uint8_t> Bytes(size_t i, const char* name) { return Typed<uint8_t>(raw(i), name, napi_uint8_array, "Uint8Array", false); }
  // Whether argument i is a Uint8Array (rather than a Float32Array), for kernels that write either.
  bool IsBytes(size_t i) {
    TypedInfo info;
    return ok_ && Inspect(raw(i), &info) && info.type == napi_uint8_array;
  }

  // An array of exactly n integers, each in [lo, hi], into out[0..n).
  void Ints(size_t i, const char* name, int64_t* out, uint32_t n, int64_t lo = 0, int64_t hi = kMaxSize) {
    Elements(raw(i), name, n, [&](uint32_t k, napi_value v) { out[k] = IntOf(v, name, lo, hi); });
  }
  // An array of exactly n integers, each named, into *out[k].
  void NamedInts(size_t i, const char* what, const char* const* names, int64_t* const* out, uint32_t n, int64_t lo, int64_t hi) {
    Elements(raw(i), what, n, [&](uint32_t k, napi_value v) { *out[k] = IntOf(v, names[k], lo, hi); });
  }
  // n integers from consecutive arguments starting at `first`, each named.
  void IntArgs(size_t first, const char* const* names, int64_t* const* out, size_t n, int64_t lo = 0, int64_t hi = kMaxSize) {
    for (size_t k = 0; k < n; ++k) *out[k] = Int(first + k, names[k], lo, hi);
  }

  // The product of sizes, or 0 (with a RangeError) when it exceeds kMaxElements.
  int64_t Product(const char* what, std::initializer_list<int64_t> sizes) {
    int64_t out = 1;
    for (int64_t s : sizes) {
      if (s < 0 || (s != 0 && out > kMaxElements / s)) {
        if (ok_) Fail(false, "%s is too large (more than 2^40 elements)", what);
        return 0;
      }
      out *= s;
    }
    return out;
  }

  // Checks that an array argument holds exactly `want` elements.
  template <typename T>
  void Length(const Span<T>& span, const char* name, int64_t want) {
    if (ok_ && span.length != want) Fail(false, "%s has %lld elements; the sizes given need %lld", name, static_cast<long long>(span.length), static_cast<long long>(want));
  }
  // Checks that an array argument holds at least `want` elements.
  template <typename T>
  void AtLeast(const Span<T>& span, const char* name, int64_t want) {
    if (ok_ && span.length < want) Fail(false, "%s has %lld elements; the sizes given need at least %lld", name, static_cast<long long>(span.length), static_cast<long long>(want));
  }
  // A condition on the arguments, with the RangeError to throw when it does not hold.
  void Require(bool condition, const char* format, ...) __attribute__((format(printf, 3, 4))) {
    if (!ok_ || condition) return;
    va_list list;
    va_start(list, format);
    Throw(false, format, list);
    va_end(list);
  }

  // Throws `fn: message` as a TypeError (type) or RangeError; later calls do nothing.
  void Fail(bool type, const char* format, ...) __attribute__((format(printf, 3, 4))) {
    if (!ok_) return;
    va_list list;
    va_start(list, format);
    Throw(type, format, list);
    va_end(list);
  }

 private:
  static constexpr size_t kMax = 16;

  bool IsType(napi_value value, napi_valuetype want) {
    napi_valuetype type;
    return value != nullptr && napi_typeof(env_, value, &type) == napi_ok && type == want;
  }

  int64_t IntOf(napi_value value, const char* name, int64_t lo, int64_t hi) {
    if (!ok_) return 0;
    double out = 0;
    if (!IsType(value, napi_number) || napi_get_value_double(env_, value, &out) != napi_ok) {
      Fail(true, "%s must be an integer number", name);
      return 0;
    }
    if (!(out >= static_cast<double>(lo) && out <= static_cast<double>(hi)) || std::trunc(out) != out) {
      Fail(false, "%s must be an integer in [%lld, %lld], got %.17g", name, static_cast<long long>(lo), static_cast<long long>(hi), out);
      return 0;
    }
    return static_cast<int64_t>(out);
  }

  template <typename F>
  void Elements(napi_value value, const char* what, uint32_t n, F read) {
    if (!ok_) return;
    bool array = false;
    uint32_t length = 0;
    if (value == nullptr || napi_is_array(env_, value, &array) != napi_ok || !array || napi_get_array_length(env_, value, &length) != napi_ok) {
      Fail(true, "%s must be an array of %u integers", what, n);
      return;
    }
    if (length != n) {
      Fail(false, "%s must hold %u integers, got %u", what, n, length);
      return;
    }
    for (uint32_t k = 0; k < n && ok_; ++k) {
      napi_value v;
      if (napi_get_element(env_, value, k, &v) != napi_ok) {
        Fail(true, "%s: cannot read element %u", what, k);
        return;
      }
      read(k, v);
    }
  }

  struct TypedInfo {
    napi_typedarray_type type = napi_float32_array;
    size_t length = 0;
    void* data = nullptr;
  };
  // Whether `value` is a typed array, with its element type, length and data (offset applied).
  bool Inspect(napi_value value, TypedInfo* info) {
    bool typed = false;
    napi_value buffer;
    size_t offset = 0;
    return value != nullptr && napi_is_typedarray(env_, value, &typed) == napi_ok && typed &&
           napi_get_typedarray_info(env_, value, &info->type, &info->length, &info->data, &buffer, &offset) == napi_ok;
  }

  template <typename T>
  Span<T> Typed(napi_value value, const char* name, napi_typedarray_type want, const char* want_name, bool optional) {
    Span<T> out;
    if (!ok_) return out;
    if (optional && (IsType(value, napi_undefined) || IsType(value, napi_null))) return out;
    TypedInfo info;
    if (!Inspect(value, &info) || info.type != want) {
      Fail(true, "%s must be a %s%s", name, want_name, optional ? " or null" : "");
      return out;
    }
    const size_t length = info.length;
    void* const data = info.data;
    if (length > static_cast<size_t>(kMaxElements)) {
      Fail(false, "%s is too large", name);
      return out;
    }
    // An empty typed array may have no backing store; give kernels a valid pointer that they never read.
    static T empty[1] = {};
    out.data = length == 0 ? empty : static_cast<T*>(data);
    out.length = static_cast<int64_t>(length);
    return out;
  }

  void Throw(bool type, const char* format, va_list list) {
    char message[400];
    const int head = std::snprintf(message, sizeof message, "%s: ", fn_);
    std::vsnprintf(message + head, sizeof message - static_cast<size_t>(head), format, list);
    if (type)
      napi_throw_type_error(env_, nullptr, message);
    else
      napi_throw_range_error(env_, nullptr, message);
    ok_ = false;
  }

  napi_env env_;
  const char* fn_;
  napi_value argv_[kMax] = {};
  size_t count_ = 0;
  bool ok_ = true;
};

}  // namespace sparsevd
