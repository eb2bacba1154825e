// The MPI engine: one thread owns MPI (it calls MPI_Init_thread, every MPI call, and
// MPI_Finalize), so Node's event loop never waits on MPI. JavaScript enqueues operations; the
// thread starts them as non-blocking MPI calls, drives them with MPI_Test, and hands each
// finished one back through a callback (a napi_threadsafe_function in addon.cc).
#pragma once

#include <mpi.h>

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace dawnflow_mpi {

// MpiAllReduce is Open MPI's own MPI_Iallreduce: faster on some networks, but its summation
// order is the library's (not rank order), so runs need not reproduce bit for bit. For
// comparison (bench/distributed); the Communicator uses AllReduce.
enum class OpKind : int64_t { AllReduce = 1, Broadcast = 2, Barrier = 3, Send = 4, Recv = 5, MpiAllReduce = 6 };
enum class ReduceKind : int64_t { Sum = 0, Mean = 1 };

// Collectives run in up to three phases, each on its own duplicate of MPI_COMM_WORLD:
//   0: the check: an allgather of every rank's (kind, size, root/op), so that ranks that disagree
//      fail together with one message instead of hanging or corrupting memory;
//   1: the data: alltoallv of slices (all-reduce) or bcast;
//   2: the all-gather of the reduced slices (all-reduce).
// Barrier is the check alone (an allgather completes only once every rank has joined it).
constexpr int kPhases = 3;

struct Op {
  OpKind kind = OpKind::Barrier;
  void* data = nullptr;
  int64_t bytes = 0;
  int peer = 0;  // the root (broadcast), the destination (send) or the source (recv)
  int tag = 0;
  ReduceKind reduce = ReduceKind::Sum;
  // What JavaScript keeps with the op (its promise, the buffer's reference); opaque here.
  void* user = nullptr;

  // Filled by the engine.
  uint64_t sequence = 0;  // collectives only: 1, 2, ... in call order
  int phase = 0;
  int phaseCount = 0;
  std::array<int64_t, kPhases> ticket{};  // this op's place on each phase's communicator
  bool issued = false;                    // the current phase's request has been started
  MPI_Request request = MPI_REQUEST_NULL;
  std::string error;  // empty: success
  std::array<int64_t, 4> header{};
  std::vector<int64_t> headers;  // every rank's header (phase 0)
  std::vector<int> counts, displs;
  std::vector<int> sendCounts, sendDispls, recvCounts, recvDispls;
  std::unique_ptr<float[]> scratch;  // every rank's copy of this rank's slice (phase 1)
  size_t scratchSize = 0;
};

struct WorldInfo {
  int rank = 0;
  int size = 1;
  int localRank = 0;
  int localSize = 1;
  int threadLevel = 0;
  std::string host;
  std::string library;
};

class Engine {
 public:
  using Completion = std::function<void(Op*)>;
  using Ready = std::function<void(const WorldInfo&, const std::string& error)>;

  Engine(Completion done, Ready ready);
  ~Engine();

  // Starts the MPI thread; `ready` is called from it once MPI_Init_thread has returned.
  void start();
  // Queues an op; the engine owns it until `done` hands it back.
  void submit(Op* op);
  // Finishes every queued op, then MPI_Finalize; `done(nullptr)` signals the end.
  void requestFinalize();
  // Blocks the caller until the thread has finalized and exited (for process exit).
  void finalizeAndJoin();
  // MPI_Abort(MPI_COMM_WORLD, code) from the MPI thread, as soon as it next looks; never returns
  // to the caller's work (the process is killed).
  void abort(int code);
  void join();

 private:
  void run();
  void initialize();
  bool takeIncoming(bool block);
  bool advance(Op* op);
  void issue(Op* op);
  void finishPhase(Op* op, const MPI_Status& status);
  void checkHeaders(Op* op);
  std::string describe(const int64_t* header) const;
  void startPointToPoint(Op* op);
  std::string where(const Op* op) const;
  void fail(Op* op, const std::string& what, int code);
  void takeScratch(Op* op, size_t floats);
  void returnScratch(Op* op);
  static std::string mpiError(int code);

  Completion done_;
  Ready ready_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Op*> incoming_;
  bool finalizeRequested_ = false;
  int abortCode_ = -1;
  bool finished_ = false;

  // MPI thread only.
  WorldInfo info_;
  std::array<MPI_Comm, kPhases> phaseComms_{MPI_COMM_NULL, MPI_COMM_NULL, MPI_COMM_NULL};
  MPI_Comm pointToPoint_ = MPI_COMM_NULL;
  std::list<Op*> active_;
  uint64_t nextSequence_ = 1;
  std::array<int64_t, kPhases> nextTicket_{};
  std::array<int64_t, kPhases> issuedTickets_{};
  // Scratch buffers kept between all-reduces: a fresh 64 MiB one per call would be page-faulted
  // and zeroed every time.
  std::vector<std::pair<size_t, std::unique_ptr<float[]>>> spareScratch_;
};

}  // namespace dawnflow_mpi
