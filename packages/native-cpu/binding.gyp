{
  "targets": [
    {
      "target_name": "scm_dnnl",
      "sources": ["src/dnnl.cc"],
      "cflags_cc": ["-std=c++17", "-O2", "-fopenmp", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
