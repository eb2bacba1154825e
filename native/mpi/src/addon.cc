// The N-API face of the MPI engine (engine.h): every call returns a promise at once; the MPI
// thread finishes it and a napi_threadsafe_function resolves it on Node's thread. The typed
// array an op reads or writes stays referenced until the op is done, so its memory lives as
// long as MPI may touch it. One MPI per process: the first Node environment to call init owns it.
#include <node_api.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

#include "engine.h"

namespace dawnflow_mpi {
namespace {

struct JsOp {
  napi_deferred deferred = nullptr;
  napi_ref buffer = nullptr;
};

struct Event {
  enum Type { Ready, Done, Finalized } type;
  Op* op = nullptr;
  WorldInfo info;
  std::string error;
};

enum class Stage { Fresh, Starting, Running, Finalizing, Finalized };

struct State {
  napi_threadsafe_function events = nullptr;
  std::unique_ptr<Engine> engine;
  napi_deferred initDeferred = nullptr;
  napi_deferred finalizeDeferred = nullptr;
  int pending = 0;  // promises the MPI thread still has to settle
  Stage stage = Stage::Fresh;
};

std::atomic<bool> claimed{false};

// Set by abortAtExit(): the engine and code that the C runtime's exit handler aborts with.
// Node prints a fatal error after the 'exit' event (for an ES module's top-level await), so
// aborting in the event itself would lose the message; atexit runs after it is printed.
Engine* exitEngine = nullptr;
std::atomic<int> exitAbortCode{-1};

void abortAtProcessExit() {
  int code = exitAbortCode.load();
  if (code < 0 || !exitEngine) return;
  exitEngine->abort(code);
  exitEngine->join();
}

#define CHECK(env, call)                                          \
  do {                                                            \
    if ((call) != napi_ok) {                                      \
      napi_throw_error((env), "MPI_ADDON", "N-API call failed: " #call); \
      return nullptr;                                             \
    }                                                             \
  } while (0)

State* stateOf(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<State*>(data);
}

napi_value undefinedValue(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

napi_value errorValue(napi_env env, const std::string& message) {
  napi_value text, error;
  napi_create_string_utf8(env, message.c_str(), message.size(), &text);
  napi_create_error(env, nullptr, text, &error);
  return error;
}

// The event loop stays alive exactly while the MPI thread owes us an answer.
void holdLoop(napi_env env, State* s) {
  if (s->pending++ == 0) napi_ref_threadsafe_function(env, s->events);
}
void releaseLoop(napi_env env, State* s) {
  if (--s->pending == 0) napi_unref_threadsafe_function(env, s->events);
}

void setInt(napi_env env, napi_value object, const char* name, int value) {
  napi_value v;
  napi_create_int32(env, value, &v);
  napi_set_named_property(env, object, name, v);
}
void setString(napi_env env, napi_value object, const char* name, const std::string& value) {
  napi_value v;
  napi_create_string_utf8(env, value.c_str(), value.size(), &v);
  napi_set_named_property(env, object, name, v);
}

// Runs on Node's thread for every event the MPI thread posts.
void onEvent(napi_env env, napi_value, void*, void* data) {
  std::unique_ptr<Event> event(static_cast<Event*>(data));
  State* s = env ? stateOf(env) : nullptr;
  if (event->type == Event::Done) {
    std::unique_ptr<Op> op(event->op);
    std::unique_ptr<JsOp> js(static_cast<JsOp*>(op->user));
    if (!s) return;  // the environment is going away: nothing left to settle
    if (op->error.empty()) {
      napi_resolve_deferred(env, js->deferred, undefinedValue(env));
    } else {
      napi_reject_deferred(env, js->deferred, errorValue(env, op->error));
    }
    if (js->buffer) napi_delete_reference(env, js->buffer);
    releaseLoop(env, s);
    return;
  }
  if (!s) return;
  if (event->type == Event::Ready) {
    if (!event->error.empty()) {
      s->stage = Stage::Finalized;
      napi_reject_deferred(env, s->initDeferred, errorValue(env, event->error));
    } else {
      s->stage = Stage::Running;
      napi_value info;
      napi_create_object(env, &info);
      setInt(env, info, "rank", event->info.rank);
      setInt(env, info, "size", event->info.size);
      setInt(env, info, "localRank", event->info.localRank);
      setInt(env, info, "localSize", event->info.localSize);
      setInt(env, info, "threadLevel", event->info.threadLevel);
      setString(env, info, "host", event->info.host);
      setString(env, info, "library", event->info.library);
      napi_resolve_deferred(env, s->initDeferred, info);
    }
    s->initDeferred = nullptr;
  } else {
    s->stage = Stage::Finalized;
    s->engine->join();
    if (s->finalizeDeferred) napi_resolve_deferred(env, s->finalizeDeferred, undefinedValue(env));
    s->finalizeDeferred = nullptr;
  }
  releaseLoop(env, s);
}

void post(State* s, Event* event) {
  if (napi_call_threadsafe_function(s->events, event, napi_tsfn_nonblocking) != napi_ok) {
    // Node is shutting down; the op's memory is reclaimed with the process.
  }
}

napi_value Init(napi_env env, napi_callback_info) {
  State* s = stateOf(env);
  if (s->stage != Stage::Fresh) {
    napi_throw_error(env, "MPI_STATE", s->stage == Stage::Finalized ? "MPI was finalized in this process and cannot start again"
                                                                    : "MPI is already initialized in this process");
    return nullptr;
  }
  if (claimed.exchange(true)) {
    napi_throw_error(env, "MPI_STATE", "MPI is already owned by another thread of this process");
    return nullptr;
  }
  napi_value name, promise;
  CHECK(env, napi_create_string_utf8(env, "dawnflow-mpi", NAPI_AUTO_LENGTH, &name));
  CHECK(env, napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, nullptr, nullptr, nullptr, onEvent, &s->events));
  CHECK(env, napi_unref_threadsafe_function(env, s->events));
  CHECK(env, napi_create_promise(env, &s->initDeferred, &promise));
  s->stage = Stage::Starting;
  holdLoop(env, s);
  s->engine = std::make_unique<Engine>(
      [s](Op* op) {
        if (op) {
          post(s, new Event{Event::Done, op, {}, {}});
        } else {
          post(s, new Event{Event::Finalized, nullptr, {}, {}});
        }
      },
      [s](const WorldInfo& info, const std::string& error) { post(s, new Event{Event::Ready, nullptr, info, error}); });
  s->engine->start();
  return promise;
}

bool running(napi_env env, State* s) {
  if (s->stage == Stage::Running || s->stage == Stage::Starting) return true;
  napi_throw_error(env, "MPI_STATE", s->stage == Stage::Fresh ? "MPI is not initialized (call init first)" : "MPI is finalized");
  return false;
}

// The memory a typed array or DataView covers.
bool bytesOf(napi_env env, napi_value value, void** data, size_t* bytes, bool* isFloat32) {
  bool is = false;
  napi_is_typedarray(env, value, &is);
  if (is) {
    napi_typedarray_type type;
    size_t length;
    napi_value arrayBuffer;
    size_t offset;
    napi_get_typedarray_info(env, value, &type, &length, data, &arrayBuffer, &offset);
    static const size_t width[] = {1, 1, 1, 2, 2, 4, 4, 4, 8, 8, 8};
    *bytes = length * (type <= napi_biguint64_array ? width[type] : 1);
    *isFloat32 = type == napi_float32_array;
    return true;
  }
  napi_is_dataview(env, value, &is);
  if (is) {
    napi_value arrayBuffer;
    size_t offset;
    napi_get_dataview_info(env, value, bytes, data, &arrayBuffer, &offset);
    *isFloat32 = false;
    return true;
  }
  napi_throw_type_error(env, "MPI_ARGUMENT", "expected a typed array or a DataView");
  return false;
}

int intArg(napi_env env, napi_value value) {
  int32_t v = 0;
  napi_get_value_int32(env, value, &v);
  return v;
}

// Queues `op` over the buffer argv[0]; returns the promise that settles when it is done.
napi_value submit(napi_env env, State* s, Op* op, napi_value buffer) {
  auto js = std::make_unique<JsOp>();
  napi_value promise;
  if (napi_create_promise(env, &js->deferred, &promise) != napi_ok) {
    delete op;
    napi_throw_error(env, "MPI_ADDON", "cannot create a promise");
    return nullptr;
  }
  if (buffer) napi_create_reference(env, buffer, 1, &js->buffer);
  op->user = js.release();
  holdLoop(env, s);
  s->engine->submit(op);
  return promise;
}

// Reads up to `capacity` arguments (missing ones are undefined); at least `expected` must be given.
napi_value args(napi_env env, napi_callback_info info, size_t expected, napi_value* argv, size_t capacity = 0) {
  size_t argc = capacity > expected ? capacity : expected;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < expected) {
    napi_throw_type_error(env, "MPI_ARGUMENT", ("expected " + std::to_string(expected) + " arguments").c_str());
    return nullptr;
  }
  return argv[0] ? argv[0] : undefinedValue(env);
}

// allreduce(data: Float32Array, mean: boolean, library?: boolean): rank-order sums, or with
// `library` Open MPI's own MPI_Iallreduce (not reproducible bit for bit; for comparison).
napi_value AllReduce(napi_env env, napi_callback_info info) {
  State* s = stateOf(env);
  napi_value argv[3] = {nullptr, nullptr, nullptr};
  if (!args(env, info, 2, argv, 3) || !running(env, s)) return nullptr;
  auto op = std::make_unique<Op>();
  size_t bytes;
  bool isFloat32;
  if (!bytesOf(env, argv[0], &op->data, &bytes, &isFloat32)) return nullptr;
  if (!isFloat32) {
    napi_throw_type_error(env, "MPI_ARGUMENT", "allreduce needs a Float32Array");
    return nullptr;
  }
  bool mean = false;
  napi_get_value_bool(env, argv[1], &mean);
  bool library = false;
  napi_get_value_bool(env, argv[2], &library);  // undefined leaves it false
  op->kind = library ? OpKind::MpiAllReduce : OpKind::AllReduce;
  op->bytes = static_cast<int64_t>(bytes);
  op->reduce = mean ? ReduceKind::Mean : ReduceKind::Sum;
  return submit(env, s, op.release(), argv[0]);
}

// broadcast(data, root)
napi_value Broadcast(napi_env env, napi_callback_info info) {
  State* s = stateOf(env);
  napi_value argv[2] = {nullptr, nullptr};
  if (!args(env, info, 2, argv) || !running(env, s)) return nullptr;
  auto op = std::make_unique<Op>();
  size_t bytes;
  bool isFloat32;
  if (!bytesOf(env, argv[0], &op->data, &bytes, &isFloat32)) return nullptr;
  op->kind = OpKind::Broadcast;
  op->bytes = static_cast<int64_t>(bytes);
  op->peer = intArg(env, argv[1]);
  return submit(env, s, op.release(), argv[0]);
}

napi_value PointToPoint(napi_env env, napi_callback_info info, OpKind kind) {
  State* s = stateOf(env);
  napi_value argv[3] = {nullptr, nullptr, nullptr};
  if (!args(env, info, 3, argv) || !running(env, s)) return nullptr;
  auto op = std::make_unique<Op>();
  size_t bytes;
  bool isFloat32;
  if (!bytesOf(env, argv[0], &op->data, &bytes, &isFloat32)) return nullptr;
  op->kind = kind;
  op->bytes = static_cast<int64_t>(bytes);
  op->peer = intArg(env, argv[1]);
  op->tag = intArg(env, argv[2]);
  return submit(env, s, op.release(), argv[0]);
}

// send(data, to, tag) / recv(data, from, tag)
napi_value Send(napi_env env, napi_callback_info info) { return PointToPoint(env, info, OpKind::Send); }
napi_value Recv(napi_env env, napi_callback_info info) { return PointToPoint(env, info, OpKind::Recv); }

napi_value Barrier(napi_env env, napi_callback_info) {
  State* s = stateOf(env);
  if (!running(env, s)) return nullptr;
  auto op = std::make_unique<Op>();
  op->kind = OpKind::Barrier;
  return submit(env, s, op.release(), nullptr);
}

// finalize(): settles once every queued op is done and MPI_Finalize has returned.
napi_value Finalize(napi_env env, napi_callback_info) {
  State* s = stateOf(env);
  napi_value promise;
  CHECK(env, napi_create_promise(env, &s->finalizeDeferred, &promise));
  if (s->stage != Stage::Running) {
    napi_resolve_deferred(env, s->finalizeDeferred, undefinedValue(env));
    s->finalizeDeferred = nullptr;
    return promise;
  }
  s->stage = Stage::Finalizing;
  holdLoop(env, s);
  s->engine->requestFinalize();
  return promise;
}

// finalizeSync(): for process exit, when the event loop no longer runs.
napi_value FinalizeSync(napi_env env, napi_callback_info) {
  State* s = stateOf(env);
  if (s->stage == Stage::Running || s->stage == Stage::Finalizing) {
    s->engine->finalizeAndJoin();
    s->stage = Stage::Finalized;
  }
  return undefinedValue(env);
}

// abort(code): MPI_Abort on the whole job; does not return while MPI runs.
napi_value Abort(napi_env env, napi_callback_info info) {
  State* s = stateOf(env);
  napi_value argv[1] = {nullptr};
  if (!args(env, info, 1, argv)) return nullptr;
  if (s->stage == Stage::Running || s->stage == Stage::Starting || s->stage == Stage::Finalizing) {
    s->engine->abort(intArg(env, argv[0]));
    s->engine->join();
  }
  return undefinedValue(env);
}

// abortAtExit(code): MPI_Abort with `code` once the process exits (after Node has printed why).
napi_value AbortAtExit(napi_env env, napi_callback_info info) {
  State* s = stateOf(env);
  napi_value argv[1] = {nullptr};
  if (!args(env, info, 1, argv)) return nullptr;
  if (s->stage == Stage::Running || s->stage == Stage::Starting || s->stage == Stage::Finalizing) {
    static bool registered = false;
    if (!registered) {
      registered = true;
      std::atexit(abortAtProcessExit);
    }
    exitEngine = s->engine.get();
    exitAbortCode = intArg(env, argv[0]);
  }
  return undefinedValue(env);
}

// pending(): promises the MPI thread still owes (ops, init, finalize).
napi_value Pending(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, stateOf(env)->pending, &v);
  return v;
}

napi_value Module(napi_env env, napi_value exports) {
  auto* s = new State();
  napi_set_instance_data(
      env, s, [](napi_env, void* data, void*) { /* the MPI thread may still hold it: leak at exit */ (void)data; }, nullptr);
  const napi_property_descriptor functions[] = {
      {"init", nullptr, Init, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"allreduce", nullptr, AllReduce, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"broadcast", nullptr, Broadcast, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"send", nullptr, Send, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"recv", nullptr, Recv, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"barrier", nullptr, Barrier, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"finalize", nullptr, Finalize, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"finalizeSync", nullptr, FinalizeSync, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"abort", nullptr, Abort, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"abortAtExit", nullptr, AbortAtExit, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pending", nullptr, Pending, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(functions) / sizeof(functions[0]), functions);
  return exports;
}

}  // namespace
}  // namespace dawnflow_mpi

NAPI_MODULE(NODE_GYP_MODULE_NAME, dawnflow_mpi::Module)
