// prcm_kernels._core: the blocks' AOT libraries on NumPy arrays and torch tensors.
//
// A Kernel is one module's library with its own copy of the weights, prepared
// (weights checked, BatchNorm folded, argument list bound) once per input shape;
// a call wraps the caller's memory in Halide buffers (no copy in or out), checks
// it, releases the GIL and runs the library. Every failure is a Python exception:
// TypeError for what is not a float32 array, ValueError for a wrong shape, layout,
// device or value, DeviceUnavailableError for a device that cannot run here,
// RuntimeError for a library that failed. The Python functions and the drop-in
// torch modules (prcm_kernels/__init__.py, torch.py) are thin layers over it.
#include "prcm/registry.h"
#include "prcm/run.h"
#include "prcm/verify.h"

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace nb = nanobind;
using namespace prcm;

namespace {

struct DeviceUnavailable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The outputs this module allocates (a call without out=) come from a pool of the
// buffers of outputs that died, as ONNX Runtime's arena and PyTorch's CUDA caching
// allocator keep theirs. torch.empty's memory can go back to the kernel when the
// tensor dies (glibc trims the heap and unmaps large blocks), and then every call
// first touches fresh pages: SE at 1x24x64x64 took 0.11-0.27 ms in some rounds of
// scripts/peer_bench.py, against 0.022 ms in the others (2026-12-03, AMD EPYC VM).
// A buffer returns to the pool when the last array or tensor over it dies; the pool
// keeps at most kMaxBuffersPerSize of a size and kMaxRetainedBytes in all, and frees
// the rest. Buffers are 64-byte aligned, as torch.empty's are.
class OutputPool {
public:
    static constexpr size_t kMaxRetainedBytes = size_t{256} << 20;
    static constexpr size_t kMaxBuffersPerSize = 4;
    static constexpr size_t kAlignment = 64;

    static OutputPool &instance() {
        static OutputPool *pool = new OutputPool;  // leaked: a buffer may die after static destructors ran
        return *pool;
    }

    // A buffer of at least `bytes` bytes (rounded up to the alignment), or nullptr.
    float *take(size_t bytes) {
        bytes = rounded(bytes);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto it = free_.find(bytes);
            if (it != free_.end() && !it->second.empty()) {
                float *p = it->second.back();
                it->second.pop_back();
                retained_ -= bytes;
                return p;
            }
        }
        return static_cast<float *>(std::aligned_alloc(kAlignment, bytes));
    }

    void give_back(float *p, size_t bytes) noexcept {
        bytes = rounded(bytes);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            std::vector<float *> &same = free_[bytes];
            if (same.size() < kMaxBuffersPerSize && retained_ + bytes <= kMaxRetainedBytes) {
                same.push_back(p);
                retained_ += bytes;
                return;
            }
        }
        std::free(p);
    }

    size_t retained_bytes() {
        std::lock_guard<std::mutex> lock(mutex_);
        return retained_;
    }

    // Frees every buffer the pool keeps; the outputs alive keep theirs. Returns the bytes freed.
    size_t release() {
        std::unordered_map<size_t, std::vector<float *>> kept;
        size_t bytes = 0;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            kept.swap(free_);
            std::swap(bytes, retained_);
        }
        for (auto &[size, buffers] : kept) {
            for (float *p : buffers) std::free(p);
        }
        return bytes;
    }

private:
    static size_t rounded(size_t bytes) {
        return (std::max<size_t>(bytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
    }

    std::mutex mutex_;
    std::unordered_map<size_t, std::vector<float *>> free_;
    size_t retained_ = 0;
};

// The owner of a pooled output: the capsule an array or tensor holds.
struct PooledBuffer {
    float *data;
    size_t bytes;
};
nb::capsule pooled_owner(float *data, size_t bytes) {
    return nb::capsule(new PooledBuffer{data, bytes}, [](void *p) noexcept {
        auto *buffer = static_cast<PooledBuffer *>(p);
        OutputPool::instance().give_back(buffer->data, buffer->bytes);
        delete buffer;
    });
}

[[noreturn]] void raise(const Status &s) {
    switch (s.kind()) {
        case ErrorKind::unavailable: throw DeviceUnavailable(s.message());
        case ErrorKind::failed: throw std::runtime_error(s.message());
        default: throw nb::value_error(s.message().c_str());
    }
}

std::string python_type(nb::handle h) { return nb::type_name(h.type()).c_str(); }

// A dtype as NumPy names it; "" for float32, the one the libraries take.
const char *dtype_name(nb::dlpack::dtype t) {
    using nb::dlpack::dtype_code;
    const auto code = static_cast<dtype_code>(t.code);
    if (t == nb::dtype<float>()) return "";
    if (code == dtype_code::Float && t.bits == 64) return "float64";
    if (code == dtype_code::Float && t.bits == 16) return "float16";
    if (code == dtype_code::Bfloat) return "bfloat16";
    if (code == dtype_code::Int) return t.bits == 64 ? "int64" : t.bits == 32 ? "int32" : "an integer type";
    if (code == dtype_code::UInt) return t.bits == 8 ? "uint8" : "an unsigned integer type";
    if (code == dtype_code::Bool) return "bool";
    if (code == dtype_code::Complex) return "a complex type";
    return "a type other than float32";
}

const char *device_type_name(int device_type) {
    switch (device_type) {
        case nb::device::cuda::value: return "a CUDA device";
        case nb::device::cuda_host::value: return "CUDA pinned host memory";
        case nb::device::rocm::value: return "a ROCm device";
        case nb::device::metal::value: return "a Metal device";
        case nb::device::opencl::value: return "an OpenCL device";
        default: return "a device other than the CPU";
    }
}

using ReadOnlyArray = nb::ndarray<nb::ro>;
using WritableArray = nb::ndarray<>;

// What a caller's array looks like, read from DLPack, the buffer protocol or a
// torch tensor's own attributes, before any check.
struct ArrayInfo {
    const void *data = nullptr;
    std::vector<int64_t> shape, strides;  // strides in elements
    std::string dtype;                    // "" when float32
    std::string device;                   // "" when host memory
    bool read_only = false;
    std::optional<bool> contiguous;  // when known without the strides
};

// torch, as far as this module needs it: looked up once torch is imported (the
// package never imports torch itself), then kept.
struct Torch {
    PyTypeObject *tensor = nullptr;
    nb::object float32;
    nb::object requires_grad, dtype, is_cpu, is_contiguous, shape, data_ptr, device;  // attribute names
    nb::object from_dlpack;                                                           // torch.from_dlpack
    // What nn.Module.__call__ consults before it calls forward (see drop_in_call); null
    // where this torch names them otherwise, and then the drop-ins take its own path.
    nb::object is_tracing;     // torch._C._is_tracing
    nb::object hooks_globals;  // torch.nn.modules.module's __dict__, which holds the global hooks
};
const Torch *torch_if_imported() {
    static Torch *torch = nullptr;
    if (torch) return torch;
    PyObject *module = PyImport_GetModule(nb::str("torch").ptr());  // a dict lookup when absent
    if (!module) {
        PyErr_Clear();
        return nullptr;
    }
    nb::module_ m = nb::steal<nb::module_>(module);
    if (!nb::hasattr(m, "Tensor") || !nb::hasattr(m, "from_dlpack")) return nullptr;  // torch half-imported
    // Leaked on purpose: the interpreter may be gone when static objects die.
    torch = new Torch;
    torch->tensor = reinterpret_cast<PyTypeObject *>(m.attr("Tensor").inc_ref().ptr());
    torch->float32 = m.attr("float32");
    auto name = [](const char *s) { return nb::steal(PyUnicode_InternFromString(s)); };
    torch->requires_grad = name("requires_grad");
    torch->dtype = name("dtype");
    torch->is_cpu = name("is_cpu");
    torch->is_contiguous = name("is_contiguous");
    torch->shape = name("shape");
    torch->data_ptr = name("data_ptr");
    torch->device = name("device");
    torch->from_dlpack = m.attr("from_dlpack");
    if (nb::hasattr(m, "_C") && nb::hasattr(m.attr("_C"), "_is_tracing")) {
        torch->is_tracing = m.attr("_C").attr("_is_tracing");
    }
    if (PyObject *hooks = PyImport_ImportModule("torch.nn.modules.module")) {
        torch->hooks_globals = nb::borrow(PyModule_GetDict(hooks));
        Py_DECREF(hooks);
    } else {
        PyErr_Clear();
    }
    return torch;
}

bool is_torch_tensor(nb::handle obj) {
    const Torch *torch = torch_if_imported();
    return torch && PyType_IsSubtype(Py_TYPE(obj.ptr()), torch->tensor);
}

nb::object get(nb::handle obj, const nb::object &name) { return nb::steal(PyObject_GetAttr(obj.ptr(), name.ptr())); }

// A torch tensor read through its own attributes: cheaper than its __dlpack__
// export (about 5 µs a tensor at 1x64x8x8; this, under 1 µs), and it does not refuse
// a tensor that requires grad with an unrelated message.
ArrayInfo torch_info(nb::handle t, std::string_view what) {
    const Torch &torch = *torch_if_imported();
    ArrayInfo info;
    // The C API directly: this runs twice a call, and each nanobind wrapper step shows.
    auto attr = [&](const nb::object &name) {
        PyObject *v = PyObject_GetAttr(t.ptr(), name.ptr());
        if (!v) throw nb::python_error();
        return nb::steal(v);
    };
    auto call = [&](const nb::object &name) {
        PyObject *self = t.ptr();
        PyObject *v = PyObject_VectorcallMethod(name.ptr(), &self, 1, nullptr);
        if (!v) throw nb::python_error();
        return nb::steal(v);
    };
    if (attr(torch.requires_grad).is(nb::handle(Py_True))) {
        throw nb::value_error((std::string(what) +
                               " requires grad: prcm_kernels runs inference kernels and computes no "
                               "gradients; pass it detached (.detach()) or call under torch.no_grad()")
                                  .c_str());
    }
    nb::object dtype = attr(torch.dtype);
    if (!dtype.is(torch.float32)) info.dtype = nb::cast<std::string>(nb::str(dtype));
    if (!attr(torch.is_cpu).is(nb::handle(Py_True))) info.device = nb::cast<std::string>(nb::str(attr(torch.device)));
    nb::object shape = attr(torch.shape);  // torch.Size, a tuple
    if (!PyTuple_Check(shape.ptr())) throw nb::type_error((std::string(what) + ".shape is not a tuple").c_str());
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(shape.ptr()); i++) {
        info.shape.push_back(PyLong_AsLongLong(PyTuple_GET_ITEM(shape.ptr(), i)));
    }
    if (!info.dtype.empty() || !info.device.empty()) return info;
    // torch's own test, which (as NumPy's) ignores the stride of a dimension of size 1;
    // data_ptr() raises for a sparse tensor, with torch's message.
    info.contiguous = call(torch.is_contiguous).is(nb::handle(Py_True));
    info.data = PyLong_AsVoidPtr(call(torch.data_ptr).ptr());
    if (PyErr_Occurred()) throw nb::python_error();
    return info;
}

ArrayInfo array_info(const ReadOnlyArray &a) {
    ArrayInfo info;
    info.data = a.data();
    info.dtype = dtype_name(a.dtype());
    if (a.device_type() != nb::device::cpu::value) info.device = device_type_name(a.device_type());
    for (size_t i = 0; i < a.ndim(); i++) {
        info.shape.push_back(static_cast<int64_t>(a.shape(i)));
        info.strides.push_back(a.stride(i));
    }
    return info;
}

// A caller's float32, C-contiguous array in host memory, as a Tensor over the same
// memory (the caller keeps the object alive while the Tensor is in use). Anything
// else raises: TypeError for what is not a float32 array, ValueError for its layout,
// device, size, or an `out` that is read-only.
Tensor view_of(nb::handle obj, std::string_view what, bool writable = false) {
    ArrayInfo info;
    if (is_torch_tensor(obj)) {
        info = torch_info(obj, what);
    } else {
        WritableArray w;
        ReadOnlyArray r;
        if (writable && nb::try_cast(obj, w, false)) {
            info = array_info(ReadOnlyArray(w));
        } else if (nb::try_cast(obj, r, false)) {
            info = array_info(r);
            info.read_only = writable;  // it was not writable above
        } else {
            // Neither protocol took it: not an array, or one whose elements DLPack and the
            // buffer protocol cannot describe (a byte order not the machine's, a record type).
            std::string got = python_type(obj);
            PyErr_Clear();  // whatever the failed imports left
            if (PyObject *dtype = PyObject_GetAttrString(obj.ptr(), "dtype")) {
                nb::object text = nb::steal(PyObject_Str(dtype));
                Py_DECREF(dtype);
                if (text.is_valid()) got += std::string(" of dtype ") + PyUnicode_AsUTF8(text.ptr());
            }
            PyErr_Clear();
            throw nb::type_error((std::string(what) +
                                  " must be a float32 array that speaks DLPack or the buffer "
                                  "protocol (a NumPy array, a torch tensor), got " +
                                  got)
                                     .c_str());
        }
    }
    if (!info.dtype.empty()) {
        throw nb::type_error((std::string(what) + " has dtype " + info.dtype +
                              "; prcm_kernels takes float32 (x.astype(numpy.float32), t.float())")
                                 .c_str());
    }
    if (!info.device.empty()) {
        throw nb::value_error((std::string(what) + " is in the memory of " + info.device +
                               "; prcm_kernels takes host (CPU) arrays, and device=\"cuda\" or \"opencl\" moves "
                               "them to the GPU itself")
                                  .c_str());
    }
    if (writable && info.read_only) throw nb::value_error((std::string(what) + " is read-only").c_str());
    if (info.shape.size() > max_tensor_rank) {
        throw nb::value_error(
            (std::string(what) + " has " + std::to_string(info.shape.size()) + " dimensions").c_str());
    }
    TorchShape shape;
    bool empty = false;
    for (int64_t e : info.shape) {
        if (e > INT32_MAX) throw nb::value_error((std::string(what) + ": a dimension is larger than 2^31-1").c_str());
        shape.push_back(static_cast<int>(e));
        empty = empty || e == 0;
    }
    if (Status s = check_tensor_shape(shape); !s) raise(s.prefixed(std::string(what) + ": "));
    // An empty array has no layout to speak of; check_input refuses it by name.
    bool contiguous = info.contiguous.value_or(true);
    int64_t expected_stride = 1;
    for (size_t i = shape.size(); i-- > 0 && !info.contiguous;) {
        // A dimension of size 1 may have any stride: NumPy and torch both say so.
        if (shape[i] != 1 && info.strides[i] != expected_stride) contiguous = false;
        expected_stride *= shape[i];
    }
    if (!empty && !contiguous) {
        throw nb::value_error((std::string(what) + " of shape " + shape_string(shape) +
                               " is not C-contiguous; pass numpy.ascontiguousarray(...) or .contiguous()")
                                  .c_str());
    }
    std::vector<int> sizes(shape.rbegin(), shape.rend());
    return Tensor(const_cast<float *>(static_cast<const float *>(info.data)), sizes);
}

bool overlap(const Tensor &a, const Tensor &b) {
    const auto *a0 = reinterpret_cast<const char *>(a.data()), *a1 = a0 + a.size_in_bytes();
    const auto *b0 = reinterpret_cast<const char *>(b.data()), *b1 = b0 + b.size_in_bytes();
    return a0 < b1 && b0 < a1;
}

const Module &module_named(const std::string &name) {
    if (const Module *m = find_module(name)) return *m;
    std::vector<std::string> known;
    for (const Module &m : modules()) known.push_back(m.spec->name);
    for (const Alias &a : aliases()) known.push_back(a.name);
    throw nb::value_error(("unknown module '" + printable(name) + "' (known: " + join(known) + ")").c_str());
}

Device device_named(const std::string &name) {
    Device d;
    if (!parse_device(name, &d)) {
        throw nb::value_error(("unknown device '" + printable(name) + "' (known: cpu, opencl, cuda)").c_str());
    }
    return d;
}

const HyperParamInfo *hyper_named(const std::string &name) {
    for (const HyperParamInfo &h : hyper_param_table())
        if (name == h.name) return &h;
    return nullptr;
}

// Hyper-parameters by name over the module's defaults, each checked; *given (if
// asked) gets the Uses bits of those named.
HyperParams hyper_from(const ModuleSpec &spec, nb::dict hyper, unsigned *given = nullptr) {
    HyperParams hp = spec.defaults;
    for (auto [key, value] : hyper) {
        const std::string name = nb::cast<std::string>(nb::str(key));
        const HyperParamInfo *h = hyper_named(name);
        if (!h || !(spec.uses & h->use)) {
            std::vector<std::string> takes;
            for (const HyperParamInfo &t : hyper_param_table())
                if (spec.uses & t.use)
                    takes.push_back(std::string(t.name) + "=" + std::to_string(spec.defaults.*t.field));
            throw nb::type_error((std::string(spec.name) + " takes no hyper-parameter '" + printable(name) +
                                  "' (it takes: " + (takes.empty() ? "none" : join(takes)) + ")")
                                     .c_str());
        }
        int v;
        if (nb::isinstance<nb::bool_>(value) || !nb::try_cast(value, v, false)) {
            throw nb::type_error((name + " must be an int, got " + python_type(value)).c_str());
        }
        if (v < 1) throw nb::value_error((name + " must be at least 1, got " + std::to_string(v)).c_str());
        if (h->odd_why && v % 2 == 0) {
            throw nb::value_error((name + " must be odd (" + h->odd_why + "), got " + std::to_string(v)).c_str());
        }
        hp.*h->field = v;
        if (given) *given |= h->use;
    }
    return hp;
}

// A shape the library was prepared for, and the call bound for it.
struct Prepared {
    TorchShape input, output;
    PreparedCall call;  // points into itself: a Prepared stays where make_shared put it
};

// The drop-in modules' weights as they were when their kernel was prepared:
// watch = (the module's _modules dict, its values then, and per weight its parameter or
// buffer dict, key, tensor and _version then). Unchanged: the same submodules, the same
// tensors under the same keys, none written since (torch bumps _version at every in-place
// write). A loop in Python made these checks for 2.9 µs a call at InvertedBottleneck's 15
// weights (1x128x4x4: a tenth of the call); here they take 1.2.
bool weights_unchanged(nb::handle watch) {
    PyObject *w = watch.ptr();
    if (!PyTuple_Check(w) || PyTuple_GET_SIZE(w) != 6) throw nb::type_error("watch must be a 6-tuple");
    PyObject *modules = PyTuple_GET_ITEM(w, 0), *seen_modules = PyTuple_GET_ITEM(w, 1);
    PyObject *tables = PyTuple_GET_ITEM(w, 2), *keys = PyTuple_GET_ITEM(w, 3);
    PyObject *tensors = PyTuple_GET_ITEM(w, 4), *versions = PyTuple_GET_ITEM(w, 5);
    for (PyObject *t : {seen_modules, tables, keys, tensors, versions}) {
        if (!PyTuple_Check(t)) throw nb::type_error("watch must hold tuples");
    }
    const Py_ssize_t n = PyTuple_GET_SIZE(tensors);
    if (!PyDict_Check(modules) || PyTuple_GET_SIZE(tables) != n || PyTuple_GET_SIZE(keys) != n ||
        PyTuple_GET_SIZE(versions) != n) {
        throw nb::type_error("watch's parts do not match");
    }
    if (PyDict_Size(modules) != PyTuple_GET_SIZE(seen_modules)) return false;
    Py_ssize_t position = 0, i = 0;
    PyObject *key, *module;
    while (PyDict_Next(modules, &position, &key, &module)) {
        if (module != PyTuple_GET_ITEM(seen_modules, i++)) return false;
    }
    static PyObject *const version = PyUnicode_InternFromString("_version");
    for (i = 0; i < n; i++) {
        PyObject *table = PyTuple_GET_ITEM(tables, i);
        if (!PyDict_Check(table)) throw nb::type_error("watch's tables must be dicts");
        PyObject *now = PyDict_GetItemWithError(table, PyTuple_GET_ITEM(keys, i));  // borrowed
        if (!now && PyErr_Occurred()) throw nb::python_error();
        if (now != PyTuple_GET_ITEM(tensors, i)) return false;
        PyObject *version_now = PyObject_GetAttr(now, version);
        if (!version_now) throw nb::python_error();
        const int same = PyObject_RichCompareBool(version_now, PyTuple_GET_ITEM(versions, i), Py_EQ);
        Py_DECREF(version_now);
        if (same < 0) throw nb::python_error();
        if (!same) return false;
    }
    return true;
}

class Kernel {
public:
    Kernel(const std::string &module, nb::dict weights, nb::dict hyper, const std::string &device,
           const std::string &schedule)
        : module_(&module_named(module)), device_(device_named(device)), schedule_(schedule) {
        const ModuleSpec &spec = *module_->spec;
        given_ = hyper_from(spec, hyper, &given_mask_);
        const Library *library = nullptr;
        if (Status s = find_library(*module_, device_, schedule_, &library); !s) raise(s);
        if (Status s = device_available(device_); !s) raise(s);
        // Our own copies: the caller may change or free its arrays; the drop-in
        // torch modules make a new Kernel when their weights change.
        for (auto [key, value] : weights) {
            const std::string name = nb::cast<std::string>(nb::str(key));
            const Tensor view = view_of(value, "weight '" + name + "'");
            Tensor copy;
            if (Status s = make_tensor_checked(torch_shape(view), &copy); !s)
                raise(s.prefixed("weight '" + name + "': "));
            if (view.number_of_elements() > 0) std::memcpy(copy.data(), view.data(), view.size_in_bytes());
            weights_.emplace(name, std::move(copy));
        }
        // Named wrong is a wrong keyword to Python: TypeError; shapes wait for an input's C.
        if (Status s = check_weight_names(spec, weights_, given_); !s) throw nb::type_error(s.message().c_str());
    }

    // The output's shape for an input of this shape, after every check of the weights.
    TorchShape output_shape(const TorchShape &input) {
        const ModuleSpec &spec = *module_->spec;
        if (Status s = check_tensor_shape(input); !s) raise(s);
        const Tensor shape_only(nullptr, std::vector<int>(input.rbegin(), input.rend()));  // the checks read shapes
        if (Status s = check_input(spec, shape_only); !s) raise(s);
        HyperParams hp;
        const int channels = checked_hyper(input, &hp);
        return module_output_shape(spec, input, channels, hp);
    }

    nb::object call(nb::handle x_obj, nb::handle out_obj) {
        Tensor input = view_of(x_obj, "x");
        const TorchShape shape = torch_shape(input);
        std::shared_ptr<Prepared> prepared = find(shape);
        TorchShape out_shape = prepared ? prepared->output : output_shape(shape);

        nb::object result;
        Tensor output;
        if (out_obj.is_none()) {
            result = allocate(x_obj, out_shape, &output);
        } else {
            output = view_of(out_obj, "out", true);
            if (torch_shape(output) != out_shape) {
                throw nb::value_error(("out has shape " + shape_string(torch_shape(output)) + ", but " +
                                       module_->spec->title + " maps x of shape " + shape_string(shape) + " to " +
                                       shape_string(out_shape))
                                          .c_str());
            }
            if (overlap(input, output)) {
                throw nb::value_error(
                    "out shares memory with x: the block reads x after it starts writing its "
                    "output, so it cannot run in place; pass a separate out");
            }
            result = nb::borrow(out_obj);
        }
        if (!prepared) prepared = prepare(input, output);
        run(prepared->call, input, output);
        return result;
    }

    // The library called `calls` times from C++ on the same arrays, with no
    // checks and no Python: the C++ side of the binding's overhead. Seconds.
    double time_native(nb::handle x_obj, nb::handle out_obj, int calls) {
        call(x_obj, out_obj);  // checks, prepares, warms up
        Tensor input = view_of(x_obj, "x");
        Tensor output = view_of(out_obj, "out", true);
        std::shared_ptr<Prepared> p = find(torch_shape(input));
        nb::gil_scoped_release release;
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < calls; i++) {
            if (Status s = call_prepared(p->call, input, output); !s) {
                nb::gil_scoped_acquire acquire;
                raise(s);
            }
        }
        if (device_ != Device::cpu) {
            if (Status s = device_sync(device_, output); !s) {
                nb::gil_scoped_acquire acquire;
                raise(s);
            }
        }
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }

    std::string module_name() const { return module_->spec->name; }
    std::string device_name_() const { return device_name(device_); }
    std::string schedule() const { return schedule_; }
    std::string schedule_in_use() const { return prcm::schedule_in_use(*module_->library(device_, schedule_)); }

private:
    // Checks the weights against an input of this shape; returns its channels,
    // with the hyper-parameters the weights imply in *hp.
    int checked_hyper(const TorchShape &input, HyperParams *hp) const {
        const ModuleSpec &spec = *module_->spec;
        const int channels = module_channels(spec, input, weights_);
        *hp = given_;
        if (Status s = check_weights(spec, channels, weights_, hp); !s) raise(s);
        for (const HyperParamInfo &h : hyper_param_table()) {
            if (h.from_weights && (given_mask_ & h.use) && given_.*h.field != hp->*h.field) {
                throw nb::value_error((std::string(h.name) + "=" + std::to_string(given_.*h.field) +
                                       " contradicts the weights, which imply " + h.name + "=" +
                                       std::to_string(hp->*h.field))
                                          .c_str());
            }
        }
        return channels;
    }

    std::shared_ptr<Prepared> find(const TorchShape &shape) {
        for (size_t i = 0; i < cache_.size(); i++) {
            if (cache_[i]->input == shape) {
                if (i > 0) std::rotate(cache_.begin(), cache_.begin() + i, cache_.begin() + i + 1);
                return cache_.front();
            }
        }
        return nullptr;
    }

    std::shared_ptr<Prepared> prepare(const Tensor &input, const Tensor &output) {
        auto p = std::make_shared<Prepared>();
        p->input = torch_shape(input);
        p->output = torch_shape(output);
        if (Status s = prepare_call(*module_, device_, input, weights_, output, &p->call, &given_, schedule_); !s) {
            raise(s);
        }
        // A few shapes at most (a model calls a block at one or two): the newest first.
        constexpr size_t kShapes = 8;
        cache_.insert(cache_.begin(), p);
        if (cache_.size() > kShapes) cache_.pop_back();
        return p;
    }

    void run(const PreparedCall &c, Tensor &input, Tensor &output) {
        Status s = Status::ok();
        {
            nb::gil_scoped_release release;
            if (device_ != Device::cpu) input.set_host_dirty();
            s = call_prepared(c, input, output);
            if (s && device_ != Device::cpu) s = copy_to_host(device_, output);
        }
        if (!s) raise(s);
    }

    // A new output in the caller's framework, from the output pool: a torch tensor for
    // a torch input, else a NumPy array.
    nb::object allocate(nb::handle like, const TorchShape &shape, Tensor *output) {
        std::vector<size_t> dims(shape.begin(), shape.end());
        size_t count = 1;
        for (size_t d : dims) count *= d;
        const size_t bytes = count * sizeof(float);
        float *raw = OutputPool::instance().take(bytes);
        if (!raw) throw std::bad_alloc();
        nb::capsule owner = pooled_owner(raw, bytes);  // from here on the capsule returns raw to the pool
        *output = Tensor(raw, std::vector<int>(shape.rbegin(), shape.rend()));
        if (is_torch_tensor(like)) {
            // A DLPack capsule to torch.from_dlpack, which hands it to its C converter. Given
            // an array instead (nb::pytorch), it asks for the array's device and tries keyword
            // sets in Python first. Measured 2026-12-03, k(x) against k(x, out) at 1x128x4x4:
            // the new output took 2.3-2.9 µs of a call that way, 1.0-1.1 this way.
            nb::object capsule = nb::cast(nb::ndarray<float>(raw, dims.size(), dims.data(), owner));  // "dltensor"
            return torch_if_imported()->from_dlpack(capsule);
        }
        return nb::cast(nb::ndarray<nb::numpy, float>(raw, dims.size(), dims.data(), owner));
    }

    const Module *module_;
    Device device_;
    std::string schedule_;
    HyperParams given_;
    unsigned given_mask_ = 0;
    Weights weights_;
    std::vector<std::shared_ptr<Prepared>> cache_;
};

// A drop-in module's call, the whole of it, where nn.Module.__call__ would only call
// forward and forward would only run the kernel: no hooks of the module's or global
// ones, no tracing, no compiled form (module.compile()), eval mode, an input that
// does not require grad, a kernel prepared and the weights unchanged. Anything else
// returns None, and the module takes torch's path (torch.py, _Compiled.__call__).
// Measured 2026-12-05, AMD EPYC VM, 1 thread, medians of 9 interleaved rounds of 5000 calls, torch's __call__ and forward -> this: PRCM 1x64x8x8 4.92 -> 4.06 µs (the kernel's own k(x) 3.46), InvertedBottleneck 1x128x4x4 28.92 -> 28.09 (k(x) 26.80).
nb::object drop_in_call(nb::handle module, nb::handle x) {
    const Torch *torch = torch_if_imported();
    if (!torch || !torch->is_tracing.is_valid() || !torch->hooks_globals.is_valid() ||
        !PyType_IsSubtype(Py_TYPE(x.ptr()), torch->tensor)) {
        return nb::none();
    }
    nb::object dict = nb::steal(PyObject_GenericGetDict(module.ptr(), nullptr));
    if (!dict.is_valid()) throw nb::python_error();
    // The names interned once (a name made each call cost 0.6 µs of 1.1 in all).
    static PyObject *const own_hooks[] = {
        PyUnicode_InternFromString("_forward_hooks"), PyUnicode_InternFromString("_forward_pre_hooks"),
        PyUnicode_InternFromString("_backward_hooks"), PyUnicode_InternFromString("_backward_pre_hooks")};
    static PyObject *const global_hooks[] = {
        PyUnicode_InternFromString("_global_forward_hooks"), PyUnicode_InternFromString("_global_forward_pre_hooks"),
        PyUnicode_InternFromString("_global_backward_hooks"), PyUnicode_InternFromString("_global_backward_pre_hooks")};
    static PyObject *const training = PyUnicode_InternFromString("training"),
                           *const compiled_call = PyUnicode_InternFromString("_compiled_call_impl"),
                           *const watch_name = PyUnicode_InternFromString("_watch"),
                           *const kernel_name = PyUnicode_InternFromString("_kernel");
    // Borrowed, or null; the watch and the kernel are held below before any Python runs.
    auto item = [&](PyObject *key) { return PyDict_GetItem(dict.ptr(), key); };
    auto no_hooks = [](PyObject *hooks) { return hooks && PyDict_Check(hooks) && PyDict_GET_SIZE(hooks) == 0; };
    for (PyObject *own : own_hooks) {
        if (!no_hooks(item(own))) return nb::none();
    }
    for (PyObject *global : global_hooks) {
        if (!no_hooks(PyDict_GetItem(torch->hooks_globals.ptr(), global))) return nb::none();
    }
    PyObject *compiled = item(compiled_call);
    nb::object watch = nb::borrow(item(watch_name)), kernel = nb::borrow(item(kernel_name));
    if (item(training) != Py_False || (compiled && compiled != Py_None) || !watch.is_valid() || watch.is_none() ||
        !kernel.is_valid()) {
        return nb::none();
    }
    nb::object tracing = nb::steal(PyObject_CallNoArgs(torch->is_tracing.ptr()));
    if (!tracing.is_valid()) throw nb::python_error();
    nb::object requires_grad = nb::steal(PyObject_GetAttr(x.ptr(), torch->requires_grad.ptr()));
    if (!requires_grad.is_valid()) throw nb::python_error();
    if (tracing.ptr() != Py_False || requires_grad.ptr() != Py_False) return nb::none();
    Kernel *k = nullptr;
    if (!nb::try_cast(kernel, k, false) || !k) return nb::none();
    if (!weights_unchanged(watch)) return nb::none();
    return k->call(x, nb::none());
}

// _Compiled.__call__: the call above where it applies, else torch's nn.Module.__call__
// (hooks, tracing, then forward, which raises the errors and prepares a new kernel).
// A method in C++ rather than a Python def over drop_in_call: 0.3 µs a call less.
nb::object drop_in_module_call(nb::handle self, nb::args args, nb::kwargs kwargs) {
    if (args.size() == 1 && kwargs.size() == 0) {
        nb::object y = drop_in_call(self, args[0]);
        if (!y.is_none()) return y;
    }
    nb::object module_call = nb::module_::import_("torch.nn").attr("Module").attr("__call__");
    return module_call(self, *args, **kwargs);
}

nb::list module_infos() {
    nb::list out;
    auto describe = [&](const Module &m, const char *name, const char *title) {
        const ModuleSpec &spec = *m.spec;
        nb::dict d;
        d["name"] = name;
        d["title"] = title;
        d["module"] = spec.name;
        d["formula"] = spec.formula;
        nb::dict hyper;
        for (const HyperParamInfo &h : hyper_param_table()) {
            if (!(spec.uses & h.use)) continue;
            nb::dict info;
            info["default"] = spec.defaults.*h.field;
            info["help"] = h.help;
            info["from_weights"] = h.from_weights;
            hyper[h.name] = info;
        }
        d["hyper"] = hyper;
        nb::list devices;
        for (const Library &l : m.libraries)
            if (l.schedule == std::string(kHandSchedule)) devices.append(device_name(l.device));
        d["devices"] = devices;
        out.append(d);
    };
    for (const Module &m : modules()) describe(m, m.spec->name, m.spec->title);
    for (const Alias &a : aliases()) describe(*a.module, a.name, a.title);
    return out;
}

// The weights of `module` for `channels` channels and these hyper-parameters:
// (state_dict key, torch shape, whether a parameter (else a BatchNorm buffer)).
nb::list weight_specs(const std::string &module, int channels, nb::dict hyper) {
    const ModuleSpec &spec = *module_named(module).spec;
    if (channels < 1) throw nb::value_error("channels must be at least 1");
    const HyperParams hp = hyper_from(spec, hyper);
    nb::list out;
    for (const WeightSpec &w : spec.weights(channels, hp)) {
        nb::list shape;
        for (int e : w.shape) shape.append(e);
        out.append(nb::make_tuple(w.name, nb::tuple(shape), w.parameter));
    }
    return out;
}

// A copy of a tensor as a new NumPy array.
template <typename T>
nb::object numpy_copy(const T *data, const TorchShape &shape) {
    size_t count = 1;
    std::vector<size_t> dims(shape.begin(), shape.end());
    for (size_t d : dims) count *= d;
    T *copy = new T[std::max<size_t>(count, 1)];
    std::copy(data, data + count, copy);
    nb::capsule owner(copy, [](void *p) noexcept { delete[] static_cast<T *>(p); });
    return nb::cast(nb::ndarray<nb::numpy, T>(copy, dims.size(), dims.data(), owner));
}

nb::dict hyper_dict(const ModuleSpec &spec, const HyperParams &hp) {
    nb::dict d;
    for (const HyperParamInfo &h : hyper_param_table())
        if (spec.uses & h.use) d[h.name] = hp.*h.field;
    return d;
}

// The tests' side of the binding: the same seeded data, awkward shapes, naive
// reference and tolerance that `prcm verify` uses, so that Python checks the
// functions against what the C++ harness checks the libraries against.
nb::list awkward(const std::string &module) {
    nb::list out;
    for (const Problem &p : awkward_problems(module_named(module), Device::cpu)) {
        out.append(nb::make_tuple(nb::cast(p.shape), hyper_dict(*p.module->spec, p.hp), p.seed));
    }
    return out;
}

nb::tuple problem_data(const std::string &module, const TorchShape &x, nb::dict hyper, uint64_t seed) {
    const Module &m = module_named(module);
    if (Status s = check_tensor_shape(x); !s) raise(s);
    Problem p = make_problem(m, Device::cpu, x);
    p.hp = hyper_from(*m.spec, hyper);
    p.seed = seed;
    ProblemData d = make_problem_data(p);
    nb::dict weights;
    for (const auto &[name, t] : d.weights) weights[name.c_str()] = numpy_copy(t.data(), torch_shape(t));
    return nb::make_tuple(numpy_copy(d.input.data(), torch_shape(d.input)), weights);
}

nb::object reference(const std::string &module, nb::handle x, nb::dict weights, nb::dict hyper) {
    const ModuleSpec &spec = *module_named(module).spec;
    const Tensor input = view_of(x, "x");
    if (Status s = check_input(spec, input); !s) raise(s);
    Weights w;
    for (auto [key, value] : weights) {
        const std::string name = nb::cast<std::string>(nb::str(key));
        w.emplace(name, view_of(value, name));
    }
    HyperParams hp = hyper_from(spec, hyper);
    if (Status s = check_weights(spec, module_channels(spec, torch_shape(input), w), w, &hp); !s) raise(s);
    const RefTensor r = spec.reference(input, w, hp);
    return numpy_copy(r.data.data(), r.shape);
}

nb::tuple available(const std::string &device) {
    const Status s = device_available(device_named(device));
    return nb::make_tuple(s.is_ok(), s.message());
}

}  // namespace

NB_MODULE(_core, m) {
    m.doc() = "The AOT-compiled blocks of prcm-kernels (see prcm_kernels).";
    m.attr("__version__") = PRCM_VERSION;
    nb::exception<DeviceUnavailable>(m, "DeviceUnavailableError", PyExc_RuntimeError);

    nb::class_<Kernel>(m, "Kernel",
                       "One block's compiled library with its own copy of the weights: Kernel(module, weights, "
                       "hyper, device, schedule)(x, out=None).")
        .def(nb::init<const std::string &, nb::dict, nb::dict, const std::string &, const std::string &>(),
             nb::arg("module"), nb::arg("weights"), nb::arg("hyper") = nb::dict(), nb::arg("device") = "cpu",
             nb::arg("schedule") = kHandSchedule)
        .def("__call__", &Kernel::call, nb::arg("x"), nb::arg("out") = nb::none(),
             "Runs the block on x (float32, C-contiguous, host memory); writes out if given, else returns a new "
             "array of x's framework.")
        .def(
            "call_if_unchanged",
            [](Kernel &k, nb::handle x, nb::handle watch) -> nb::object {
                if (!weights_unchanged(watch)) return nb::none();
                return k.call(x, nb::none());
            },
            nb::arg("x"), nb::arg("watch"),
            "k(x) if the watched weights are unchanged (see weights_unchanged), else None: the drop-in modules' "
            "call, checked and run in one step.")
        .def("output_shape", &Kernel::output_shape, nb::arg("input_shape"))
        .def("time_native", &Kernel::time_native, nb::arg("x"), nb::arg("out"), nb::arg("calls"),
             "Seconds taken by `calls` calls of the library from C++ (no Python, no checks) on these arrays.")
        .def("__repr__",
             [](const Kernel &k) {
                 return "<prcm_kernels.Kernel " + k.module_name() + " on " + k.device_name_() + ", " +
                        k.schedule_in_use() + ">";
             })
        .def_prop_ro("module", &Kernel::module_name)
        .def_prop_ro("device", &Kernel::device_name_)
        .def_prop_ro("schedule", &Kernel::schedule)
        .def_prop_ro("schedule_in_use", &Kernel::schedule_in_use);

    m.def("drop_in_module_call", &drop_in_module_call, nb::is_method(),
          "prcm_kernels.torch's modules' __call__: the whole call in C++ where torch's nn.Module.__call__ would "
          "only call forward and forward would only run the kernel (no hooks, no tracing, eval mode, ...), else "
          "torch.nn.Module.__call__.");
    m.def("weights_unchanged", &weights_unchanged, nb::arg("watch"),
          "Whether the weights a drop-in module's kernel was prepared from are unchanged: watch = (_modules, "
          "its values then, per weight its parameter or buffer dict, key, tensor and _version then).");
    m.def("module_infos", &module_infos, "Every module and alias: name, title, formula, hyper-parameters, devices.");
    m.def("weight_specs", &weight_specs, nb::arg("module"), nb::arg("channels"), nb::arg("hyper") = nb::dict());
    m.def(
        "set_threads",
        [](int n) {
            if (n < 0) throw nb::value_error("threads must be at least 0 (0: one per core)");
            set_cpu_threads(n);
        },
        nb::arg("n"), "Threads the CPU libraries use, the calling thread included (0: one per core).");
    m.def("device_available", &available, nb::arg("device"), "(whether the device can run here, why not)");
    m.def("cpu_target", &cpu_target_selected, "The Halide target the CPU libraries run on this CPU.");
    m.def(
        "output_pool_bytes", [] { return OutputPool::instance().retained_bytes(); },
        "Bytes of dead outputs' buffers the output pool keeps for the next calls.");
    m.def(
        "release_output_pool", [] { return OutputPool::instance().release(); },
        "Frees the buffers of dead outputs that the pool keeps for the next calls; returns the bytes freed.");
    m.def("cpu_targets", &cpu_targets, "The targets the CPU libraries hold, best first.");
    m.def("awkward_problems", &awkward, nb::arg("module"),
          "[(x shape, hyper-parameters, seed)]: the awkward grid `prcm verify --all` runs.");
    m.def("problem_data", &problem_data, nb::arg("module"), nb::arg("shape"), nb::arg("hyper") = nb::dict(),
          nb::arg("seed") = 1, "(input, {state_dict key: weight}) seeded as `prcm verify --seed` draws them.");
    m.def("reference", &reference, nb::arg("module"), nb::arg("x"), nb::arg("weights"), nb::arg("hyper") = nb::dict(),
          "The naive float64 reference of `prcm verify`.");
    m.def(
        "tolerance", [] { return nb::make_tuple(kTolerance.atol, kTolerance.rtol); },
        "(atol, rtol): |got - want| <= atol + rtol * |want|, the project's one tolerance.");
    m.def("built_devices", [] {
        std::vector<std::string> out;
        for (Device d : built_devices()) out.push_back(device_name(d));
        return out;
    });
}
