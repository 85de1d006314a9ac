{
  "targets": [
    {
      "target_name": "netpol",
      "sources": [
        "native/addon.c",
        "native/errors.c",
        "native/log.c",
        "native/object.c",
        "native/maps.c",
        "native/attach.c",
        "native/ringbuf.c"
      ],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror=implicit-function-declaration"],
      "libraries": ["-lbpf", "-lelf", "-lz"]
    }
  ]
}
