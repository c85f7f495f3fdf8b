//===- Npy.cpp - Reading NumPy .npy arrays --------------------------------===//
//
// The format (numpy/lib/format.py): magic "\x93NUMPY", two version bytes, a
// little-endian header length (2 bytes in version 1, 4 after), and a Python
// dict literal with 'descr', 'fortran_order' and 'shape', then the data.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Npy.h"
#include "rateml/runtime/Error.h"
#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>

using namespace rateml::runtime;

NpyArray rateml::runtime::readNpy(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error("cannot read '" + path + "'");
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  auto fail = [&](const std::string &why) -> Error {
    return Error(path + ": not a usable .npy file: " + why);
  };
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    throw fail("bad magic");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = static_cast<unsigned char>(bytes[8]) |
                   static_cast<unsigned char>(bytes[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      throw fail("truncated header");
    headerLength = 0;
    for (int k = 3; k >= 0; --k)
      headerLength = headerLength << 8 | static_cast<unsigned char>(bytes[8 + k]);
    headerStart = 12;
  } else {
    throw fail("unsupported version " + std::to_string(major));
  }
  if (headerStart + headerLength > bytes.size())
    throw fail("truncated header");
  std::string header = bytes.substr(headerStart, headerLength);

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
  if (!std::regex_search(header, m, std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)")))
    throw fail("no 'shape'");
  NpyArray array;
  std::string dims = m[1];
  std::regex number("[0-9]+");
  size_t count = 1;
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), number);
       it != std::sregex_iterator(); ++it) {
    array.shape.push_back(std::stoull(it->str()));
    count *= array.shape.back();
  }
  size_t dataStart = headerStart + headerLength;
  if (bytes.size() - dataStart != count * itemSize)
    throw fail("expected " + std::to_string(count * itemSize) +
               " data bytes, found " + std::to_string(bytes.size() - dataStart));
  array.values.resize(count);
  for (size_t k = 0; k < count; ++k) {
    if (itemSize == 8) {
      std::memcpy(&array.values[k], bytes.data() + dataStart + 8 * k, 8);
    } else {
      float f;
      std::memcpy(&f, bytes.data() + dataStart + 4 * k, 4);
      array.values[k] = f;
    }
  }
  return array;
}
