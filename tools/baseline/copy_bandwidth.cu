// copy_bandwidth.cu - The device's measured copy bandwidth (device to
// device, 1 GiB, best of 10), the yardstick for achieved GB/s in
// tools/gpu-check.sh. Prints "copy_GBps <value>".
#include <cstdio>
#include <cuda_runtime.h>

int main() {
  size_t bytes = size_t(1) << 30;
  void *a, *b;
  if (cudaMalloc(&a, bytes) != cudaSuccess ||
      cudaMalloc(&b, bytes) != cudaSuccess) {
    std::fprintf(stderr, "cudaMalloc failed\n");
    return 1;
  }
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  float best = 1e30f;
  for (int k = 0; k < 10; ++k) {
    cudaEventRecord(start);
    cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice);
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    best = ms < best ? ms : best;
  }
  // A copy reads and writes every byte.
  std::printf("copy_GBps %.1f\n", 2.0 * bytes / (best * 1e-3) / 1e9);
  return 0;
}
