// The emulated device's grid: a launch's blocks run one after another on the host thread that
// enqueued it, each CUDA thread of a block as a fiber with its own stack. A fiber runs until it
// reaches a barrier (__syncthreads, or its warp's rendezvous in a shuffle) and the block's
// scheduler resumes it once every live thread has arrived, so a kernel's synchronisation runs
// as written. A thread that returns leaves the barriers, as an exited GPU thread no longer
// counts. Threads waiting at different barriers with none able to go on is a deadlock: the
// emulation says so and aborts rather than hang.
//
// Fibers switch with a few instructions of x86-64 assembly (swapcontext makes a system call per
// switch, too slow for the millions a test takes). The sanitizer build is told of every switch.

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "cuda_runtime.h"
#include "emulator.h"

#if !defined(__x86_64__)
#error "the CUDA host emulation switches fibers with x86-64 assembly"
#endif

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define MLBENCH_FIBER_ASAN 1
#else
#define MLBENCH_FIBER_ASAN 0
#endif

uint3 threadIdx{0, 0, 0};
uint3 blockIdx{0, 0, 0};
dim3 blockDim;
dim3 gridDim;

// Saves the callee-saved registers and the stack pointer into *save, then loads them from
// `load` (a stack another call saved, or a new fiber's first frame) and returns there. The SSE
// and x87 control words are left alone: nothing in a test changes them, so every fiber has the
// thread's.
extern "C" void mlbench_fiber_switch(void** save, void* load);
asm(R"(
  .pushsection .text
  .globl mlbench_fiber_switch
  .type mlbench_fiber_switch, @function
mlbench_fiber_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size mlbench_fiber_switch, .-mlbench_fiber_switch
  .popsection
)");

namespace mlbench::cuda_emulation {
namespace {

constexpr unsigned kWarpSize = 32;
constexpr unsigned kMaxThreadsPerBlock = 1024;
#if MLBENCH_FIBER_ASAN
constexpr std::size_t kStackBytes = 512 << 10;  // instrumented frames are larger
#else
constexpr std::size_t kStackBytes = 128 << 10;
#endif

struct Barrier {
  unsigned participants = 0;
  unsigned arrived = 0;
  std::uint64_t generation = 0;

  void leave() {
    --participants;
    if (arrived > 0 && arrived == participants) release();
  }
  void release() {
    arrived = 0;
    ++generation;
  }
};

enum class FiberState { kReady, kWaiting, kFinished };

struct Fiber {
  unsigned index = 0;     // linear thread index in the block
  uint3 thread{0, 0, 0};  // threadIdx
  unsigned shuffles = 0;  // shuffles done in this block: which of the warp's two slot rows
  void* stack_pointer = nullptr;
  char* stack = nullptr;  // lowest usable byte
  FiberState state = FiberState::kReady;
  Barrier* waiting_on = nullptr;
  std::uint64_t waiting_for = 0;  // the generation that releases it
#if MLBENCH_FIBER_ASAN
  void* fake_stack = nullptr;
#endif
};

void fiber_main();

// One block at a time, on the thread that runs the launch.
class BlockScheduler {
 public:
  BlockScheduler() = default;
  BlockScheduler(const BlockScheduler&) = delete;
  BlockScheduler& operator=(const BlockScheduler&) = delete;
  ~BlockScheduler() {
    if (stacks_ != nullptr) munmap(stacks_, mapped_bytes_);
  }

  void run_block(unsigned threads, const std::function<void()>& body) {
    ensure_fibers(threads);
    body_ = &body;
    threads_ = threads;
    block_barrier_ = {threads, 0, 0};
    const unsigned warps = (threads + kWarpSize - 1) / kWarpSize;
    warp_barriers_.assign(warps, Barrier{});
    warp_slots_.assign(static_cast<std::size_t>(warps) * 2 * kWarpSize, 0);
    for (unsigned w = 0; w < warps; ++w)
      warp_barriers_[w].participants = std::min(kWarpSize, threads - w * kWarpSize);
    for (unsigned i = 0; i < threads; ++i) {
      Fiber& fiber = fibers_[i];
      start(fiber);
      fiber.thread = {i % blockDim.x, (i / blockDim.x) % blockDim.y, i / (blockDim.x * blockDim.y)};
      fiber.shuffles = 0;
    }

    unsigned finished = 0;
    while (finished < threads) {
      bool progressed = false;
      for (unsigned i = 0; i < threads; ++i) {
        Fiber& fiber = fibers_[i];
        if (fiber.state == FiberState::kFinished) continue;
        if (fiber.state == FiberState::kWaiting) {
          if (fiber.waiting_on->generation == fiber.waiting_for) continue;
          fiber.state = FiberState::kReady;
        }
        resume(fiber);
        progressed = true;
        if (fiber.state == FiberState::kFinished) ++finished;
      }
      if (!progressed) {
        std::fprintf(stderr,
                     "cuda emulation: deadlock in block (%u, %u, %u): its threads wait at "
                     "different barriers (a __syncthreads or shuffle not reached by all)\n",
                     blockIdx.x, blockIdx.y, blockIdx.z);
        std::abort();
      }
    }
    body_ = nullptr;
  }

  void syncthreads() { wait(block_barrier_); }

  std::uint64_t shuffle_xor(std::uint64_t bits, int lane_mask, int width) {
    Fiber& fiber = *current_;
    const unsigned warp = fiber.index / kWarpSize;
    const unsigned lane = fiber.index % kWarpSize;
    Barrier& barrier = warp_barriers_[warp];
    // Two rows of slots used in turn, so one rendezvous per shuffle is enough: a lane can only
    // write a row again after every lane of its warp has passed the next shuffle's rendezvous,
    // that is after they have all read this one.
    const std::size_t row = (static_cast<std::size_t>(warp) * 2 + fiber.shuffles++ % 2) * kWarpSize;
    std::uint64_t* slots = warp_slots_.data() + row;
    slots[lane] = bits;
    wait(barrier);
    // As on the device: a partner outside the lane's segment of `width` lanes, or past the
    // warp's last thread, leaves the lane its own value.
    const unsigned partner = lane ^ static_cast<unsigned>(lane_mask);
    const auto segment = static_cast<unsigned>(width);
    const unsigned lanes = std::min(kWarpSize, threads_ - warp * kWarpSize);
    const bool inside = partner / segment == lane / segment && partner < lanes;
    return inside ? slots[partner] : bits;
  }

  bool in_kernel() const { return current_ != nullptr; }

  // The running fiber's body, then its exit: called on the fiber's own stack.
  void run_current() {
    Fiber& fiber = *current_;
#if MLBENCH_FIBER_ASAN
    __sanitizer_finish_switch_fiber(nullptr, &scheduler_stack_bottom_, &scheduler_stack_size_);
#endif
    (*body_)();
    fiber.state = FiberState::kFinished;
    block_barrier_.leave();
    warp_barriers_[fiber.index / kWarpSize].leave();
    to_scheduler(fiber, /*for_good=*/true);
    std::abort();  // a finished fiber is never resumed
  }

 private:
  void ensure_fibers(unsigned threads) {
    if (fibers_.size() >= threads) return;
    // Every stack has a guard page below it, so an overflow faults instead of corrupting its
    // neighbour. Mapped once, for the most threads a block may have.
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    const std::size_t slot = kStackBytes + page;
    if (stacks_ == nullptr) {
      mapped_bytes_ = slot * kMaxThreadsPerBlock;
      void* mapped = mmap(nullptr, mapped_bytes_, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (mapped == MAP_FAILED) {
        std::perror("cuda emulation: mapping fiber stacks");
        std::abort();
      }
      stacks_ = static_cast<char*>(mapped);
      for (unsigned i = 0; i < kMaxThreadsPerBlock; ++i)
        mprotect(stacks_ + i * slot, page, PROT_NONE);
    }
    while (fibers_.size() < threads) {
      Fiber fiber;
      fiber.index = static_cast<unsigned>(fibers_.size());
      fiber.stack = stacks_ + fiber.index * slot + page;
      fibers_.push_back(fiber);
    }
  }

  // A fresh first frame: mlbench_fiber_switch's restore path pops it and returns into
  // fiber_main with the stack aligned as at a call.
  static void start(Fiber& fiber) {
    auto* top = reinterpret_cast<std::uint64_t*>(
        (reinterpret_cast<std::uintptr_t>(fiber.stack + kStackBytes)) & ~std::uintptr_t{15});
    *--top = 0;  // fiber_main's return address: it never returns
    *--top = reinterpret_cast<std::uint64_t>(&fiber_main);
    for (int reg = 0; reg < 6; ++reg)
      *--top = 0;  // rbp, rbx, r12-r15
    fiber.stack_pointer = top;
    fiber.state = FiberState::kReady;
    fiber.waiting_on = nullptr;
  }

  void resume(Fiber& fiber) {
    current_ = &fiber;
    threadIdx = fiber.thread;
#if MLBENCH_FIBER_ASAN
    __sanitizer_start_switch_fiber(&scheduler_fake_stack_, fiber.stack, kStackBytes);
#endif
    mlbench_fiber_switch(&scheduler_stack_pointer_, fiber.stack_pointer);
#if MLBENCH_FIBER_ASAN
    __sanitizer_finish_switch_fiber(scheduler_fake_stack_, nullptr, nullptr);
#endif
    current_ = nullptr;
  }

  void wait(Barrier& barrier) {
    Fiber& fiber = *current_;
    if (++barrier.arrived == barrier.participants) {
      barrier.release();
      return;
    }
    fiber.state = FiberState::kWaiting;
    fiber.waiting_on = &barrier;
    fiber.waiting_for = barrier.generation;
    to_scheduler(fiber, /*for_good=*/false);
  }

  void to_scheduler(Fiber& fiber, bool for_good) {
#if MLBENCH_FIBER_ASAN
    __sanitizer_start_switch_fiber(for_good ? nullptr : &fiber.fake_stack, scheduler_stack_bottom_,
                                   scheduler_stack_size_);
#else
    static_cast<void>(for_good);
#endif
    mlbench_fiber_switch(&fiber.stack_pointer, scheduler_stack_pointer_);
#if MLBENCH_FIBER_ASAN
    __sanitizer_finish_switch_fiber(fiber.fake_stack, &scheduler_stack_bottom_,
                                    &scheduler_stack_size_);
#endif
  }

  std::vector<Fiber> fibers_;
  char* stacks_ = nullptr;
  std::size_t mapped_bytes_ = 0;
  Fiber* current_ = nullptr;
  void* scheduler_stack_pointer_ = nullptr;
#if MLBENCH_FIBER_ASAN
  void* scheduler_fake_stack_ = nullptr;
  const void* scheduler_stack_bottom_ = nullptr;
  std::size_t scheduler_stack_size_ = 0;
#endif

  const std::function<void()>* body_ = nullptr;
  unsigned threads_ = 0;
  Barrier block_barrier_;
  std::vector<Barrier> warp_barriers_;
  std::vector<std::uint64_t> warp_slots_;
};

// One for the process: device work runs one piece at a time (enqueue), on whichever host
// thread enqueued it.
BlockScheduler& scheduler() {
  static BlockScheduler instance;
  return instance;
}

void fiber_main() {
  scheduler().run_current();
}

BlockScheduler& calling_scheduler() {
  BlockScheduler& s = scheduler();
  // A device function called outside a kernel is a programming error of the test.
  if (!s.in_kernel()) {
    std::fprintf(stderr, "cuda emulation: a device function was called outside a kernel\n");
    std::abort();
  }
  return s;
}

}  // namespace

void run_grid(dim3 grid, dim3 block, const std::function<void()>& body) {
  blockDim = block;
  gridDim = grid;
  const unsigned threads = block.x * block.y * block.z;
  for (unsigned z = 0; z < grid.z; ++z) {
    for (unsigned y = 0; y < grid.y; ++y) {
      for (unsigned x = 0; x < grid.x; ++x) {
        blockIdx = {x, y, z};
        scheduler().run_block(threads, body);
      }
    }
  }
}

std::uint64_t shuffle_xor(std::uint64_t bits, int lane_mask, int width) {
  return calling_scheduler().shuffle_xor(bits, lane_mask, width);
}

cudaError_t launch_kernel(const cudaLaunchConfig_t& config, std::function<void()> body) {
  const dim3 g = config.gridDim;
  const dim3 b = config.blockDim;
  // The device's limits (compute capability 9.0).
  const bool grid_ok =
      g.x >= 1 && g.y >= 1 && g.z >= 1 && g.x <= 0x7FFFFFFFu && g.y <= 65535 && g.z <= 65535;
  const bool block_ok = b.x >= 1 && b.y >= 1 && b.z >= 1 && b.x <= 1024 && b.y <= 1024 &&
                        b.z <= 64 &&
                        static_cast<std::uint64_t>(b.x) * b.y * b.z <= kMaxThreadsPerBlock;
  if (!grid_ok || !block_ok) return record(cudaErrorInvalidConfiguration);
  // The kernels use static shared memory only; dynamic shared memory is not emulated.
  if (config.dynamicSmemBytes != 0 || config.numAttrs != 0) return record(cudaErrorNotSupported);
  return enqueue(config.stream, [g, b, body = std::move(body)] { run_grid(g, b, body); });
}

}  // namespace mlbench::cuda_emulation

void __syncthreads() {
  mlbench::cuda_emulation::calling_scheduler().syncthreads();
}
