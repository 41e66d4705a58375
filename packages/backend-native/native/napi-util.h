// Small helpers shared by the addon's source files: reading N-API arguments (Float32Array data without copies,
// integers, doubles, booleans) and throwing JavaScript errors.
#pragma once
#include <node_api.h>

#include <cstddef>
#include <cstdint>

namespace sparsevd {

inline bool Check(napi_env env, napi_status status, const char* what) {
  if (status == napi_ok) return true;
  napi_throw_error(env, nullptr, what);
  return false;
}

// The float data of a Float32Array argument, with its length in elements.
inline float* Floats(napi_env env, napi_value value, size_t* length) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed) {
    napi_throw_type_error(env, nullptr, "expected a Float32Array");
    return nullptr;
  }
  napi_typedarray_type type;
  size_t len = 0;
  void* data = nullptr;
  napi_value buffer;
  size_t offset = 0;
  if (!Check(env, napi_get_typedarray_info(env, value, &type, &len, &data, &buffer, &offset), "typedarray info")) return nullptr;
  if (type != napi_float32_array) {
    napi_throw_type_error(env, nullptr, "expected a Float32Array");
    return nullptr;
  }
  *length = len;
  return static_cast<float*>(data);
}

inline int64_t Int(napi_env env, napi_value value) {
  int64_t out = 0;
  napi_get_value_int64(env, value, &out);
  return out;
}

inline double Double(napi_env env, napi_value value) {
  double out = 0;
  napi_get_value_double(env, value, &out);
  return out;
}

inline bool Bool(napi_env env, napi_value value) {
  bool out = false;
  napi_get_value_bool(env, value, &out);
  return out;
}

// An optional Float32Array argument: nullptr (and no exception) when undefined or null.
inline float* OptionalFloats(napi_env env, napi_value value, size_t* length) {
  napi_valuetype type;
  napi_typeof(env, value, &type);
  if (type == napi_undefined || type == napi_null) {
    *length = 0;
    return nullptr;
  }
  return Floats(env, value, length);
}

}  // namespace sparsevd
