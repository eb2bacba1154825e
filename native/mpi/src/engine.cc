#include "engine.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <sstream>
#include <stdexcept>

namespace dawnflow_mpi {

namespace {

// Polling policy while operations are in flight. MPI progresses only inside MPI calls, so the
// thread polls; it spins for the first polls (latency), yields the core for a while (peers that
// share cores with us, lavapipe included, get to run), then sleeps between polls so that a rank
// waiting seconds for a slow peer costs next to no CPU.
constexpr int kSpinsBeforeYield = 64;
constexpr auto kYieldWindow = std::chrono::milliseconds(50);
constexpr auto kIdleSleep = std::chrono::microseconds(50);
constexpr size_t kSpareScratch = 4;

const char* kindName(int64_t kind) {
  switch (static_cast<OpKind>(kind)) {
    case OpKind::AllReduce: return "allReduce";
    case OpKind::MpiAllReduce: return "MPI_Allreduce";
    case OpKind::Broadcast: return "broadcast";
    case OpKind::Barrier: return "barrier";
    case OpKind::Send: return "send";
    case OpKind::Recv: return "recv";
  }
  return "unknown";
}

// Slice k of n elements over p ranks: [k*n/p, (k+1)*n/p).
int64_t sliceStart(int64_t n, int p, int k) { return n * k / p; }

}  // namespace

Engine::Engine(Completion done, Ready ready) : done_(std::move(done)), ready_(std::move(ready)) {}

Engine::~Engine() {
  if (thread_.joinable()) thread_.detach();
}

void Engine::start() { thread_ = std::thread([this] { run(); }); }

void Engine::submit(Op* op) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    incoming_.push_back(op);
  }
  wake_.notify_one();
}

void Engine::requestFinalize() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finalizeRequested_ = true;
  }
  wake_.notify_one();
}

void Engine::finalizeAndJoin() {
  requestFinalize();
  join();
}

void Engine::abort(int code) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    abortCode_ = code;
  }
  wake_.notify_one();
}

void Engine::join() {
  if (thread_.joinable()) thread_.join();
}

std::string Engine::mpiError(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) return "MPI error " + std::to_string(code);
  return std::string(text, length);
}

void Engine::initialize() {
  int provided = 0;
  int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  if (rc != MPI_SUCCESS) throw std::runtime_error("MPI_Init_thread failed: " + mpiError(rc));
  info_.threadLevel = provided;
  if (provided < MPI_THREAD_FUNNELED) throw std::runtime_error("MPI provides no thread support (MPI_THREAD_FUNNELED needed)");
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &info_.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &info_.size);
  for (auto& comm : phaseComms_) MPI_Comm_dup(MPI_COMM_WORLD, &comm);
  MPI_Comm_dup(MPI_COMM_WORLD, &pointToPoint_);
  MPI_Comm node = MPI_COMM_NULL;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, info_.rank, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &info_.localRank);
  MPI_Comm_size(node, &info_.localSize);
  MPI_Comm_free(&node);
  char host[MPI_MAX_PROCESSOR_NAME];
  int length = 0;
  MPI_Get_processor_name(host, &length);
  info_.host.assign(host, length);
  char library[MPI_MAX_LIBRARY_VERSION_STRING];
  MPI_Get_library_version(library, &length);
  std::string text(library, length);
  info_.library = text.substr(0, text.find_first_of(",\n"));
}

void Engine::run() {
  try {
    initialize();
  } catch (const std::exception& e) {
    ready_(info_, e.what());
    return;
  }
  ready_(info_, "");
  int idleSpins = 0;
  auto lastProgress = std::chrono::steady_clock::now();
  while (takeIncoming(active_.empty())) {
    bool progressed = false;
    for (auto it = active_.begin(); it != active_.end();) {
      Op* op = *it;
      progressed |= advance(op);
      if (op->phase >= op->phaseCount) {
        it = active_.erase(it);
        done_(op);
      } else {
        ++it;
      }
    }
    if (progressed) {
      idleSpins = 0;
      lastProgress = std::chrono::steady_clock::now();
    } else if (++idleSpins > kSpinsBeforeYield) {
      if (std::chrono::steady_clock::now() - lastProgress < kYieldWindow) {
        sched_yield();
      } else {
        std::this_thread::sleep_for(kIdleSleep);
      }
    }
  }
  for (auto& comm : phaseComms_) MPI_Comm_free(&comm);
  MPI_Comm_free(&pointToPoint_);
  MPI_Finalize();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
  }
  done_(nullptr);
}

// Moves queued ops into the active list (assigning each collective its tickets in call order).
// Returns false once finalization was asked for and nothing is left to do.
bool Engine::takeIncoming(bool block) {
  std::deque<Op*> taken;
  int abortCode;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (block) wake_.wait(lock, [this] { return !incoming_.empty() || finalizeRequested_ || abortCode_ >= 0; });
    taken.swap(incoming_);
    abortCode = abortCode_;
    if (abortCode < 0 && taken.empty() && active_.empty() && finalizeRequested_) return false;
  }
  if (abortCode >= 0) MPI_Abort(MPI_COMM_WORLD, abortCode);
  for (Op* op : taken) {
    if (op->kind == OpKind::Send || op->kind == OpKind::Recv) {
      op->phaseCount = 1;
      startPointToPoint(op);
    } else {
      op->sequence = nextSequence_++;
      op->phaseCount = op->kind == OpKind::AllReduce ? 3 : op->kind == OpKind::Broadcast || op->kind == OpKind::MpiAllReduce ? 2 : 1;
      for (int k = 0; k < op->phaseCount; k++) op->ticket[k] = nextTicket_[k]++;
    }
    active_.push_back(op);
  }
  return true;
}

// Tests the op's request and starts its next phase when its turn on that phase's communicator
// has come. Returns whether anything happened.
bool Engine::advance(Op* op) {
  bool progressed = false;
  for (;;) {
    if (op->issued) {
      int flag = 0;
      MPI_Status status;
      int rc = MPI_Test(&op->request, &flag, &status);
      if (rc != MPI_SUCCESS) {
        op->issued = false;
        int errorClass = MPI_SUCCESS;
        MPI_Error_class(rc, &errorClass);
        if (op->kind == OpKind::Recv && errorClass == MPI_ERR_TRUNCATE) {
          op->error = "recv from rank " + std::to_string(op->peer) + " (tag " + std::to_string(op->tag) +
                      "): the message is longer than the receive buffer of " + std::to_string(op->bytes) + " bytes";
        }
        fail(op, where(op), rc);
        op->phase++;
        progressed = true;
        continue;
      }
      if (!flag) return progressed;
      op->issued = false;
      progressed = true;
      finishPhase(op, status);
      op->phase++;
    }
    if (op->phase >= op->phaseCount) return true;
    const int k = op->phase;
    // Point-to-point ops have no turn to wait for (they were started when taken).
    if (op->kind == OpKind::Send || op->kind == OpKind::Recv) return progressed;
    if (issuedTickets_[k] != op->ticket[k]) return progressed;
    issuedTickets_[k]++;
    progressed = true;
    if (!op->error.empty()) {
      // Every rank saw the same headers and fails the op the same way: skipping its turns in
      // order keeps later collectives matched.
      op->phase++;
      continue;
    }
    issue(op);
  }
}

void Engine::issue(Op* op) {
  const int p = info_.size;
  MPI_Comm comm = phaseComms_[op->phase];
  int rc = MPI_SUCCESS;
  if (op->phase == 0) {
    op->header = {static_cast<int64_t>(op->kind), op->bytes, op->kind == OpKind::Broadcast ? op->peer : 0,
                  op->kind == OpKind::AllReduce || op->kind == OpKind::MpiAllReduce ? static_cast<int64_t>(op->reduce) : 0};
    op->headers.assign(static_cast<size_t>(4) * p, 0);
    rc = MPI_Iallgather(op->header.data(), 4, MPI_INT64_T, op->headers.data(), 4, MPI_INT64_T, comm, &op->request);
  } else if (op->kind == OpKind::Broadcast) {
    rc = MPI_Ibcast(op->data, static_cast<int>(op->bytes), MPI_BYTE, op->peer, comm, &op->request);
  } else if (op->kind == OpKind::MpiAllReduce) {
    rc = MPI_Iallreduce(MPI_IN_PLACE, op->data, static_cast<int>(op->bytes / 4), MPI_FLOAT, MPI_SUM, comm, &op->request);
  } else if (op->phase == 1) {
    // All-reduce, step 1: every rank sends slice k to rank k, which then owns it.
    const int64_t n = op->bytes / 4;
    const int me = info_.rank;
    const int mine = static_cast<int>(sliceStart(n, p, me + 1) - sliceStart(n, p, me));
    op->sendCounts.resize(p);
    op->sendDispls.resize(p);
    op->recvCounts.assign(p, mine);
    op->recvDispls.resize(p);
    for (int k = 0; k < p; k++) {
      op->sendDispls[k] = static_cast<int>(sliceStart(n, p, k));
      op->sendCounts[k] = static_cast<int>(sliceStart(n, p, k + 1) - sliceStart(n, p, k));
      op->recvDispls[k] = k * mine;
    }
    takeScratch(op, std::max<size_t>(1, static_cast<size_t>(mine) * p));
    rc = MPI_Ialltoallv(op->data, op->sendCounts.data(), op->sendDispls.data(), MPI_FLOAT, op->scratch.get(),
                        op->recvCounts.data(), op->recvDispls.data(), MPI_FLOAT, comm, &op->request);
  } else {
    // All-reduce, step 2: every rank's reduced slice to every rank, in place.
    rc = MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, op->data, op->sendCounts.data(), op->sendDispls.data(),
                         MPI_FLOAT, comm, &op->request);
  }
  if (rc != MPI_SUCCESS) {
    fail(op, where(op), rc);
    op->phase++;
    return;
  }
  op->issued = true;
}

void Engine::finishPhase(Op* op, const MPI_Status& status) {
  if (op->kind == OpKind::Recv) {
    int received = 0;
    MPI_Get_count(&status, MPI_BYTE, &received);
    if (received != op->bytes) {
      op->error = "recv from rank " + std::to_string(op->peer) + " (tag " + std::to_string(op->tag) + "): the message has " +
                  std::to_string(received) + " bytes, the receive buffer " + std::to_string(op->bytes);
    }
    return;
  }
  if (op->kind == OpKind::Send) return;
  if (op->phase == 0) {
    checkHeaders(op);
    return;
  }
  if (op->kind == OpKind::MpiAllReduce && op->phase == 1 && op->reduce == ReduceKind::Mean) {
    float* data = static_cast<float*>(op->data);
    const float ranks = static_cast<float>(info_.size);
    for (int64_t i = 0; i < op->bytes / 4; i++) data[i] /= ranks;
    return;
  }
  if (op->kind == OpKind::AllReduce && op->phase == 1) {
    // Each element of this rank's slice summed in rank order in double, ((x0 + x1) + x2) + ...,
    // the mean divided in double, then rounded once to float: the in-process communicator's
    // arithmetic, so that MPI and in-process runs agree bit for bit at any rank count.
    const int p = info_.size;
    const size_t mine = static_cast<size_t>(op->recvCounts[0]);
    float* out = static_cast<float*>(op->data) + op->sendDispls[info_.rank];
    const float* slices = op->scratch.get();
    const bool mean = op->reduce == ReduceKind::Mean;
    for (size_t i = 0; i < mine; i++) {
      double sum = 0.0;
      for (int r = 0; r < p; r++) sum += static_cast<double>(slices[static_cast<size_t>(r) * mine + i]);
      out[i] = static_cast<float>(mean ? sum / p : sum);
    }
    returnScratch(op);
  }
}

std::string Engine::describe(const int64_t* h) const {
  std::ostringstream text;
  text << kindName(h[0]);
  switch (static_cast<OpKind>(h[0])) {
    case OpKind::AllReduce:
    case OpKind::MpiAllReduce: text << " of " << h[1] / 4 << " f32 (" << (h[3] == 1 ? "mean" : "sum") << ")"; break;
    case OpKind::Broadcast: text << " of " << h[1] << " bytes from rank " << h[2]; break;
    default: break;
  }
  return text.str();
}

void Engine::checkHeaders(Op* op) {
  const int p = info_.size;
  const int64_t* first = op->headers.data();
  for (int r = 1; r < p; r++) {
    const int64_t* other = first + 4 * r;
    if (std::equal(first, first + 4, other)) continue;
    op->error = "ranks disagree on collective #" + std::to_string(op->sequence) + ": rank 0 calls " + describe(first) + ", rank " +
                std::to_string(r) + " calls " + describe(other);
    return;
  }
}

void Engine::startPointToPoint(Op* op) {
  const int count = static_cast<int>(op->bytes);
  int rc = op->kind == OpKind::Send ? MPI_Isend(op->data, count, MPI_BYTE, op->peer, op->tag, pointToPoint_, &op->request)
                                    : MPI_Irecv(op->data, count, MPI_BYTE, op->peer, op->tag, pointToPoint_, &op->request);
  if (rc != MPI_SUCCESS) {
    fail(op, where(op), rc);
    op->phase = op->phaseCount;
    return;
  }
  op->issued = true;
}

std::string Engine::where(const Op* op) const {
  std::string text = kindName(static_cast<int64_t>(op->kind));
  if (op->kind == OpKind::Send || op->kind == OpKind::Recv) {
    text += (op->kind == OpKind::Send ? " to rank " : " from rank ") + std::to_string(op->peer) + " (tag " + std::to_string(op->tag) +
            ", " + std::to_string(op->bytes) + " bytes)";
  } else {
    text += " (collective #" + std::to_string(op->sequence) + ")";
  }
  return text;
}

void Engine::takeScratch(Op* op, size_t floats) {
  for (auto it = spareScratch_.begin(); it != spareScratch_.end(); ++it) {
    if (it->first < floats) continue;
    op->scratchSize = it->first;
    op->scratch = std::move(it->second);
    spareScratch_.erase(it);
    return;
  }
  op->scratch.reset(new float[floats]);  // uninitialized: MPI overwrites it
  op->scratchSize = floats;
}

void Engine::returnScratch(Op* op) {
  if (!op->scratch) return;
  spareScratch_.emplace_back(op->scratchSize, std::move(op->scratch));
  if (spareScratch_.size() > kSpareScratch) {
    // Drop the smallest.
    auto smallest = std::min_element(spareScratch_.begin(), spareScratch_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    spareScratch_.erase(smallest);
  }
}

void Engine::fail(Op* op, const std::string& what, int code) {
  if (op->error.empty()) op->error = what + ": " + mpiError(code);
}

}  // namespace dawnflow_mpi
