{
  "targets": [
    {
      "target_name": "sparsevd_native",
      "sources": ["native/addon.cc", "native/fused.cc", "native/pooling.cc", "native/random.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-ffp-contract=off", "-fno-trapping-math", "-fno-math-errno"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
      "libraries": ["-lopenblas", "-lpthread"]
    }
  ]
}
