//===- Npy.cpp - Reading NumPy .npy arrays --------------------------------===//
//
// The format (numpy/lib/format.py): magic "\x93NUMPY", two version bytes, a
// little-endian header length (2 bytes in version 1, 4 after), and a Python
// dict literal with 'descr', 'fortran_order' and 'shape', then the data.
// The header is untrusted: its length and the shape's byte count are
// checked against the file's size before anything else is read, so a
// damaged file costs no more memory than its own size.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Npy.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/Limits.h"
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>

using namespace rateml::runtime;

namespace {
/// numpy refuses longer headers too (np.load's max_header_size); real ones
/// are about 128 bytes.
constexpr size_t kMaxHeaderBytes = 10000;
} // namespace

NpyArray rateml::runtime::readNpy(const std::string &path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in)
    throwUnreadable(path, "cannot read '" + path + "'");
  const std::streamoff fileBytes = in.tellg();
  if (fileBytes < 0)
    throw Error("cannot read '" + path + "'");
  in.seekg(0);
  auto fail = [&](const std::string &why) -> Error {
    return Error(path + ": not a usable .npy file: " + why);
  };
  // Reads `n` bytes at the current position; the caller checked that the
  // file has them.
  auto readBytes = [&](size_t n) {
    std::string bytes(n, '\0');
    if (!in.read(bytes.data(), std::streamsize(n)))
      throw Error("cannot read '" + path + "'");
    return bytes;
  };
  if (fileBytes < 12)
    throw fail("bad magic");
  std::string prefix = readBytes(12);
  if (prefix.compare(0, 6, "\x93NUMPY") != 0)
    throw fail("bad magic");
  unsigned major = static_cast<unsigned char>(prefix[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = static_cast<unsigned char>(prefix[8]) |
                   static_cast<unsigned char>(prefix[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    headerLength = 0;
    for (int k = 3; k >= 0; --k)
      headerLength =
          headerLength << 8 | static_cast<unsigned char>(prefix[8 + k]);
    headerStart = 12;
  } else {
    throw fail("unsupported version " + std::to_string(major));
  }
  if (headerLength > kMaxHeaderBytes)
    throw fail("header of " + std::to_string(headerLength) +
               " bytes (at most " + std::to_string(kMaxHeaderBytes) + ")");
  if (headerStart + headerLength > uint64_t(fileBytes))
    throw fail("truncated header");
  in.seekg(std::streamoff(headerStart));
  std::string header = readBytes(headerLength);

  std::smatch m;
  if (!std::regex_search(header, m, std::regex("'descr'\\s*:\\s*'([^']*)'")))
    throw fail("no 'descr'");
  std::string descr = m[1];
  size_t itemSize;
  if (descr == "<f8" || descr == "=f8")
    itemSize = 8;
  else if (descr == "<f4" || descr == "=f4")
    itemSize = 4;
  else
    throw fail("element type '" + descr +
               "' (expected little-endian float32 or float64)");
  if (!std::regex_search(header, m,
                         std::regex("'fortran_order'\\s*:\\s*(True|False)")) ||
      m[1] == "True")
    throw fail("arrays must be in C order");
  if (!std::regex_search(header, m,
                         std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)")))
    throw fail("no 'shape'");
  NpyArray array;
  const std::string dims = m[1];
  std::regex number("[0-9]+");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), number);
       it != std::sregex_iterator(); ++it) {
    errno = 0;
    unsigned long long d = std::strtoull(it->str().c_str(), nullptr, 10);
    if (errno == ERANGE)
      throw fail("dimension " + it->str() + " is too large");
    array.shape.push_back(d);
  }
  // The shape's byte count, or nothing past 2^64: a count that wrapped
  // around could match the file and be read far beyond it.
  const uint64_t dataBytes = uint64_t(fileBytes) - (headerStart + headerLength);
  std::optional<uint64_t> needed = itemSize;
  for (size_t d : array.shape)
    if (d == 0)
      needed = 0;
    else if (needed)
      needed = boundedProduct({*needed, d});
  if (!needed || *needed != dataBytes)
    throw fail("shape " + formatTuple(array.shape) + " needs " +
               (needed ? std::to_string(*needed) : std::string("over 2^64")) +
               " data bytes, found " + std::to_string(dataBytes));
  const size_t count = *needed / itemSize;
  std::string data = readBytes(*needed);
  array.values.resize(count);
  for (size_t k = 0; k < count; ++k) {
    if (itemSize == 8) {
      std::memcpy(&array.values[k], data.data() + 8 * k, 8);
    } else {
      float f;
      std::memcpy(&f, data.data() + 4 * k, 4);
      array.values[k] = f;
    }
  }
  return array;
}

std::string rateml::runtime::formatTuple(const std::vector<size_t> &values) {
  std::string text;
  for (size_t v : values)
    text += (text.empty() ? "" : ", ") + std::to_string(v);
  return "(" + text + (values.size() == 1 ? ",)" : ")");
}

std::string rateml::runtime::formatIndex(const std::vector<size_t> &shape,
                                         size_t flat) {
  std::vector<size_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  return formatTuple(index);
}
