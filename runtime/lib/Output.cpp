//===- Output.cpp - Sweep results as HDF5 ---------------------------------===//
//
// Writes /data, /params and /time with the run's metadata as attributes
// (docs/output.md). The file is written under a temporary name and renamed
// only when complete.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Error.h"
#include "rateml/runtime/Sweep.h"
#include "rateml/runtime/Version.h"
#include <hdf5.h>
#include <openssl/evp.h>
#include <cstdio>
#include <unistd.h>

using namespace rateml::runtime;

namespace {

/// SHA-256 of the connectome as used: N (uint64), then weights and lengths
/// as float64, little-endian, row-major.
std::string connectomeSha256(const Connectome &c) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  uint64_t n = c.numNodes;
  EVP_DigestUpdate(ctx, &n, sizeof n);
  EVP_DigestUpdate(ctx, c.weights.data(), c.weights.size() * sizeof(double));
  EVP_DigestUpdate(ctx, c.lengths.data(), c.lengths.size() * sizeof(double));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  char buf[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

/// Closes an HDF5 handle when it goes out of scope.
struct Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Handle() {
    if (id >= 0)
      close(id);
  }
};

void check(herr_t status, const std::string &what) {
  if (status < 0)
    throw Error("HDF5: cannot write " + what);
}

void stringAttribute(hid_t object, const char *name, const std::string &value) {
  Handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, std::max<size_t>(value.size(), 1));
  H5Tset_strpad(type.id, H5T_STR_NULLTERM);
  Handle space{H5Screate(H5S_SCALAR), H5Sclose};
  Handle attr{H5Acreate2(object, name, type.id, space.id, H5P_DEFAULT,
                         H5P_DEFAULT),
              H5Aclose};
  check(H5Awrite(attr.id, type.id, value.c_str()), name);
}

void stringListAttribute(hid_t object, const char *name,
                         const std::vector<std::string> &values) {
  std::vector<const char *> pointers;
  for (const std::string &v : values)
    pointers.push_back(v.c_str());
  Handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, H5T_VARIABLE);
  hsize_t dims[1] = {values.size()};
  Handle space{H5Screate_simple(1, dims, nullptr), H5Sclose};
  Handle attr{H5Acreate2(object, name, type.id, space.id, H5P_DEFAULT,
                         H5P_DEFAULT),
              H5Aclose};
  check(H5Awrite(attr.id, type.id, pointers.data()), name);
}

template <typename T>
void numberAttribute(hid_t object, const char *name, hid_t type, T value) {
  Handle space{H5Screate(H5S_SCALAR), H5Sclose};
  Handle attr{H5Acreate2(object, name, type, space.id, H5P_DEFAULT,
                         H5P_DEFAULT),
              H5Aclose};
  check(H5Awrite(attr.id, type, &value), name);
}

void dataset(hid_t file, const char *name, hid_t type,
             const std::vector<hsize_t> &dims, const void *data) {
  Handle space{H5Screate_simple(int(dims.size()), dims.data(), nullptr),
               H5Sclose};
  Handle set{H5Dcreate2(file, name, type, space.id, H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT),
             H5Dclose};
  if (set.id < 0)
    throw Error(std::string("HDF5: cannot create ") + name);
  check(H5Dwrite(set.id, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), name);
}

} // namespace

void rateml::runtime::writeResults(const std::string &path,
                                   const ModelInfo &info,
                                   const Connectome &connectome,
                                   const SweepOptions &options,
                                   const SweepResult &result) {
  std::string partial = path + ".partial";
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  {
    Handle file{H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT,
                          H5P_DEFAULT),
                H5Fclose};
    if (file.id < 0)
      throw Error("cannot create output file '" + partial + "'");
    hid_t element = info.precision == "f64" ? H5T_NATIVE_DOUBLE
                                            : H5T_NATIVE_FLOAT;
    size_t numSets = result.params.rows.size();
    dataset(file.id, "/data", element,
            {numSets, result.numSamples, result.varNames.size(),
             result.numNodes},
            result.data.data());
    std::vector<double> params;
    for (const auto &row : result.params.rows)
      params.insert(params.end(), row.begin(), row.end());
    dataset(file.id, "/params", H5T_NATIVE_DOUBLE,
            {numSets, result.params.names.size()}, params.data());
    {
      Handle set{H5Dopen2(file.id, "/params", H5P_DEFAULT), H5Dclose};
      stringListAttribute(set.id, "names", result.params.names);
    }
    std::vector<double> time;
    // A window average is stamped with the time of its last step.
    for (size_t k = 0; k < result.numSamples; ++k)
      time.push_back(double((k + (result.averaged ? 1 : 0)) * result.every) *
                     options.dt);
    dataset(file.id, "/time", H5T_NATIVE_DOUBLE, {result.numSamples},
            time.data());

    stringAttribute(file.id, "model", info.model);
    numberAttribute(file.id, "dt", H5T_NATIVE_DOUBLE, options.dt);
    numberAttribute(file.id, "steps", H5T_NATIVE_UINT64, result.steps);
    numberAttribute(file.id, "every", H5T_NATIVE_UINT64, result.every);
    stringAttribute(file.id, "integrator", options.heun ? "heun" : "euler");
    numberAttribute(file.id, "seed", H5T_NATIVE_UINT64, options.seed);
    numberAttribute(file.id, "noise", H5T_NATIVE_INT,
                    int(info.noiseSlot && options.noise));
    stringAttribute(file.id, "precision", info.precision);
    stringAttribute(file.id, "connectivity", connectome.source);
    stringAttribute(file.id, "connectivity_sha256",
                    connectomeSha256(connectome));
    stringListAttribute(file.id, "var_names", result.varNames);
    stringAttribute(file.id, "record",
                    options.recordStates ? "states" : "exposures");
    stringAttribute(file.id, "sampling", result.averaged ? "tavg" : "raw");
    stringAttribute(file.id, "version", rateml_runtime_version());
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    std::remove(partial.c_str());
    throw Error("cannot move the results to '" + path + "'");
  }
}
