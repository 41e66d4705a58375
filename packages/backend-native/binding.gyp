{
  "variables": {
    "openblas_static%": ""
  },
  "targets": [
    {
      "target_name": "sparsevd_native",
      "sources": ["native/addon.cc", "native/epilogue.cc", "native/fused.cc", "native/pooling.cc", "native/random.cc", "native/small-conv.cc", "native/unit-noise.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-ffp-contract=off", "-fno-trapping-math", "-fno-math-errno"],
      "conditions": [
        ["OS=='mac'", {
          "defines": ["SPARSEVD_ACCELERATE"],
          "libraries": ["-framework Accelerate"],
          "xcode_settings": {
            "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-fno-exceptions", "-ffp-contract=off", "-fno-math-errno"],
            "MACOSX_DEPLOYMENT_TARGET": "11.0"
          }
        }],
        ["OS!='mac' and target_arch=='x64'", {
          "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"]
        }],
        ["OS!='mac' and target_arch=='arm64'", {
          "include_dirs": ["/usr/include/aarch64-linux-gnu/openblas-pthread", "/usr/include/openblas"]
        }],
        ["OS!='mac' and target_arch!='x64' and target_arch!='arm64'", {
          "include_dirs": ["/usr/include/openblas"]
        }],
        ["OS!='mac' and openblas_static==''", {
          "libraries": ["-lopenblas", "-lpthread"]
        }],
        ["OS!='mac' and openblas_static!=''", {
          "libraries": ["<(openblas_static)", "-lpthread", "-lm", "-static-libstdc++", "-static-libgcc", "-Wl,--exclude-libs,ALL", "-s"]
        }]
      ]
    }
  ]
}
