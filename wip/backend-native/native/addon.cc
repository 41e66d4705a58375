// N-API addon of @sparsevd/backend-native: OpenBLAS's CBLAS sgemm on Float32Arrays shared with JavaScript
// (no copies), and the im2col / col2im transforms that turn NHWC convolutions and their gradients into GEMMs.
#include <node_api.h>
#include <cblas.h>

#include <cstdint>
#include <cstring>

extern "C" {
char* openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
}

namespace {

bool Check(napi_env env, napi_status status, const char* what) {
  if (status == napi_ok) return true;
  napi_throw_error(env, nullptr, what);
  return false;
}

// The float data of a Float32Array argument, with its length in elements.
float* Floats(napi_env env, napi_value value, size_t* length) {
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

int64_t Int(napi_env env, napi_value value) {
  int64_t out = 0;
  napi_get_value_int64(env, value, &out);
  return out;
}

double Double(napi_env env, napi_value value) {
  double out = 0;
  napi_get_value_double(env, value, &out);
  return out;
}

bool Bool(napi_env env, napi_value value) {
  bool out = false;
  napi_get_value_bool(env, value, &out);
  return out;
}

// sgemm(transA, transB, M, N, K, alpha, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc)
// Row-major C[M×N] = alpha·op(A)·op(B) + beta·C, offsets in elements.
napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 16) {
    napi_throw_error(env, nullptr, "sgemm takes 16 arguments");
    return nullptr;
  }
  const bool ta = Bool(env, argv[0]);
  const bool tb = Bool(env, argv[1]);
  const int64_t m = Int(env, argv[2]), n = Int(env, argv[3]), k = Int(env, argv[4]);
  const float alpha = static_cast<float>(Double(env, argv[5]));
  size_t la = 0, lb = 0, lc = 0;
  float* a = Floats(env, argv[6], &la);
  float* b = Floats(env, argv[9], &lb);
  float* c = Floats(env, argv[13], &lc);
  if (a == nullptr || b == nullptr || c == nullptr) return nullptr;
  const int64_t ao = Int(env, argv[7]), lda = Int(env, argv[8]);
  const int64_t bo = Int(env, argv[10]), ldb = Int(env, argv[11]);
  const float beta = static_cast<float>(Double(env, argv[12]));
  const int64_t co = Int(env, argv[14]), ldc = Int(env, argv[15]);
  // Bounds: the last element each operand touches must be inside its array.
  const int64_t a_rows = ta ? k : m, a_cols = ta ? m : k;
  const int64_t b_rows = tb ? n : k, b_cols = tb ? k : n;
  if (m <= 0 || n <= 0 || k <= 0 || ao + (a_rows - 1) * lda + a_cols > static_cast<int64_t>(la) ||
      bo + (b_rows - 1) * ldb + b_cols > static_cast<int64_t>(lb) || co + (m - 1) * ldc + n > static_cast<int64_t>(lc)) {
    napi_throw_range_error(env, nullptr, "sgemm: operand out of bounds");
    return nullptr;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(m),
              static_cast<int>(n), static_cast<int>(k), alpha, a + ao, static_cast<int>(lda), b + bo, static_cast<int>(ldb), beta,
              c + co, static_cast<int>(ldc));
  return nullptr;
}

struct ConvGeometry {
  int64_t batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow;
};

bool ReadGeometry(napi_env env, napi_value* argv, ConvGeometry* g) {
  int64_t* f[] = {&g->batch, &g->h, &g->w, &g->c, &g->kh, &g->kw, &g->sh, &g->sw, &g->dh, &g->dw, &g->pt, &g->pl, &g->oh, &g->ow};
  for (int i = 0; i < 14; ++i) *f[i] = Int(env, argv[i]);
  return g->batch > 0 && g->h > 0 && g->w > 0 && g->c > 0 && g->kh > 0 && g->kw > 0 && g->oh > 0 && g->ow > 0;
}

// im2col(batch, h, w, c, kh, kw, sh, sw, dh, dw, padTop, padLeft, outH, outW, x, cols):
// cols[(b·oh + i)·ow + j][(di·kw + dj)·c + ch] = x[b][i·sh + di·dh − pt][j·sw + dj·dw − pl][ch] (0 outside).
napi_value Im2col(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  ConvGeometry g;
  if (argc != 16 || !ReadGeometry(env, argv, &g)) {
    napi_throw_error(env, nullptr, "im2col: bad arguments");
    return nullptr;
  }
  size_t lx = 0, lc = 0;
  const float* x = Floats(env, argv[14], &lx);
  float* cols = Floats(env, argv[15], &lc);
  if (x == nullptr || cols == nullptr) return nullptr;
  const int64_t kcols = g.kh * g.kw * g.c;
  if (static_cast<int64_t>(lx) < g.batch * g.h * g.w * g.c || static_cast<int64_t>(lc) < g.batch * g.oh * g.ow * kcols) {
    napi_throw_range_error(env, nullptr, "im2col: array too small");
    return nullptr;
  }
  for (int64_t b = 0; b < g.batch; ++b) {
    for (int64_t i = 0; i < g.oh; ++i) {
      for (int64_t j = 0; j < g.ow; ++j) {
        float* row = cols + ((b * g.oh + i) * g.ow + j) * kcols;
        for (int64_t di = 0; di < g.kh; ++di) {
          const int64_t ii = i * g.sh + di * g.dh - g.pt;
          for (int64_t dj = 0; dj < g.kw; ++dj) {
            const int64_t jj = j * g.sw + dj * g.dw - g.pl;
            float* dst = row + (di * g.kw + dj) * g.c;
            if (ii < 0 || ii >= g.h || jj < 0 || jj >= g.w) {
              std::memset(dst, 0, sizeof(float) * g.c);
            } else {
              std::memcpy(dst, x + ((b * g.h + ii) * g.w + jj) * g.c, sizeof(float) * g.c);
            }
          }
        }
      }
    }
  }
  return nullptr;
}

// col2im(same geometry, cols, dx): the adjoint of im2col — dx is zeroed, then every column entry is added
// back to the input position it was copied from.
napi_value Col2im(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  ConvGeometry g;
  if (argc != 16 || !ReadGeometry(env, argv, &g)) {
    napi_throw_error(env, nullptr, "col2im: bad arguments");
    return nullptr;
  }
  size_t lc = 0, lx = 0;
  const float* cols = Floats(env, argv[14], &lc);
  float* dx = Floats(env, argv[15], &lx);
  if (cols == nullptr || dx == nullptr) return nullptr;
  const int64_t kcols = g.kh * g.kw * g.c;
  if (static_cast<int64_t>(lx) < g.batch * g.h * g.w * g.c || static_cast<int64_t>(lc) < g.batch * g.oh * g.ow * kcols) {
    napi_throw_range_error(env, nullptr, "col2im: array too small");
    return nullptr;
  }
  std::memset(dx, 0, sizeof(float) * g.batch * g.h * g.w * g.c);
  for (int64_t b = 0; b < g.batch; ++b) {
    for (int64_t i = 0; i < g.oh; ++i) {
      for (int64_t j = 0; j < g.ow; ++j) {
        const float* row = cols + ((b * g.oh + i) * g.ow + j) * kcols;
        for (int64_t di = 0; di < g.kh; ++di) {
          const int64_t ii = i * g.sh + di * g.dh - g.pt;
          if (ii < 0 || ii >= g.h) continue;
          for (int64_t dj = 0; dj < g.kw; ++dj) {
            const int64_t jj = j * g.sw + dj * g.dw - g.pl;
            if (jj < 0 || jj >= g.w) continue;
            const float* src = row + (di * g.kw + dj) * g.c;
            float* dst = dx + ((b * g.h + ii) * g.w + jj) * g.c;
            for (int64_t ch = 0; ch < g.c; ++ch) dst[ch] += src[ch];
          }
        }
      }
    }
  }
  return nullptr;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value out;
  const char* config = openblas_get_config();
  napi_create_string_utf8(env, config == nullptr ? "OpenBLAS" : config, NAPI_AUTO_LENGTH, &out);
  return out;
}

napi_value Threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc == 1) openblas_set_num_threads(static_cast<int>(Int(env, argv[0])));
  napi_value out;
  napi_create_int32(env, openblas_get_num_threads(), &out);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"im2col", nullptr, Im2col, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"col2im", nullptr, Col2im, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"blasInfo", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
