#include "storage/lmdb/data_file.hpp"

#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <set>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace hat::storage::lmdb {

namespace {

// LMDB 0.9's on-disk layout (mdb.c: MDB_page, MDB_db, MDB_meta, MDB_node).
// The file is in the writer's native byte order and word size, which is
// ours: pgno_t and txnid_t are size_t.

/// MDB_page up to mp_ptrs (overflow pages keep their page count where
/// lower and upper are).
struct page_header {
  std::size_t pgno;
  std::uint16_t pad;
  std::uint16_t flags;
  std::uint16_t lower;
  std::uint16_t upper;
};
constexpr std::size_t page_header_size = offsetof(page_header, upper) + 2;

struct db_record {
  std::uint32_t pad;  // the page size, in the free database's record
  std::uint16_t flags;
  std::uint16_t depth;
  std::size_t branch_pages;
  std::size_t leaf_pages;
  std::size_t overflow_pages;
  std::size_t entries;
  std::size_t root;
};

struct meta_record {
  std::uint32_t magic;
  std::uint32_t version;
  void* address;
  std::size_t map_size;
  db_record dbs[2];  // FREE_DBI, MAIN_DBI
  std::size_t last_page;
  std::size_t txn_id;
};

/// MDB_node up to mn_data.
constexpr std::size_t node_header_size = 8;

constexpr std::uint32_t lmdb_magic = 0xBEEFC0DE;
constexpr std::uint32_t lmdb_data_version = 1;
constexpr std::uint16_t p_branch = 0x01;
constexpr std::uint16_t p_leaf = 0x02;
constexpr std::uint16_t p_overflow = 0x04;
constexpr std::uint16_t p_meta = 0x08;
constexpr std::uint16_t p_leaf2 = 0x20;
constexpr std::uint16_t f_bigdata = 0x01;
constexpr std::size_t invalid_page = ~std::size_t{0};
/// LMDB's smallest and largest page sizes (MDB_MINPAGE is 256 in older
/// versions; 64 KiB covers builds with PAGEBASE).
constexpr std::size_t min_page_size = 256;
constexpr std::size_t max_page_size = 0x10000;
/// A B-tree deeper than this is a loop in a damaged file.
constexpr int max_depth = 64;

/// Reads `T` from `bytes` at `offset`; nothing when it does not fit.
template <class T>
std::optional<T> load(const std::vector<char>& bytes, std::size_t offset) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T))
    return std::nullopt;
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

/// The file, read with pread only.
class file_reader {
public:
  file_reader(const std::filesystem::path& path)
    : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
  }
  file_reader(const file_reader&) = delete;
  file_reader& operator=(const file_reader&) = delete;
  ~file_reader() {
    if (fd_ >= 0)
      ::close(fd_);
  }

  bool opened() const {
    return fd_ >= 0;
  }

  /// Up to `size` bytes at `offset`: fewer at the end of the file; errno
  /// (negated) on failure.
  std::ptrdiff_t read(std::vector<char>& out, std::size_t size,
                      std::size_t offset) {
    out.resize(size);
    std::size_t done = 0;
    while (done < size) {
      auto n = ::pread(fd_, out.data() + done, size - done,
                       static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      if (n == 0)
        break;
      done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return static_cast<std::ptrdiff_t>(done);
  }

  /// Size in bytes, or -errno.
  std::int64_t size() const {
    struct stat st{};
    if (::fstat(fd_, &st) != 0)
      return -errno;
    return st.st_size;
  }

private:
  int fd_;
};

/// What is wrong with a meta page, or nothing.
std::optional<std::string> meta_fault(const std::vector<char>& page,
                                      int& code) {
  auto header = load<page_header>(page, 0);
  auto meta = load<meta_record>(page, page_header_size);
  code = MDB_INVALID;
  if (!header || !meta || (header->flags & p_meta) == 0 ||
      meta->magic != lmdb_magic)
    return "is not an LMDB database (no LMDB meta page";
  if (meta->version != lmdb_data_version) {
    code = MDB_VERSION_MISMATCH;
    return "has LMDB data format version " + std::to_string(meta->version) +
           ", this build reads version " +
           std::to_string(lmdb_data_version) + " (meta page";
  }
  std::size_t psize = meta->dbs[0].pad;
  if (psize < min_page_size || psize > max_page_size ||
      !std::has_single_bit(psize)) {
    code = MDB_CORRUPTED;
    return "is damaged: page size " + std::to_string(psize) + " (meta page";
  }
  return std::nullopt;
}

/// Collects the free pages from `first` up to `last` listed in the free
/// database of a file whose pages from `first` on are missing.
class free_page_walk {
public:
  free_page_walk(file_reader& file, std::size_t page_size, std::size_t first,
                 std::size_t last)
    : file_(file), page_size_(page_size), first_(first), last_(last) {
  }

  /// False when the free database is unreadable (past the end, or not a
  /// B-tree): the file is damaged either way.
  bool walk(std::size_t page, int depth) {
    if (depth > max_depth || page < 2 || page > last_ || page >= first_ ||
        ++visited_ > last_)
      return false;
    std::vector<char> bytes;
    if (!read_pages(page, 1, bytes))
      return false;
    auto header = load<page_header>(bytes, 0);
    if (!header || header->lower < page_header_size ||
        header->lower > page_size_ || (header->flags & p_leaf2) != 0)
      return false;
    std::size_t keys = (header->lower - page_header_size) / 2;
    for (std::size_t i = 0; i < keys; ++i) {
      auto ptr = load<std::uint16_t>(bytes, page_header_size + 2 * i);
      if (!ptr)
        return false;
      auto lo_hi = load<std::uint32_t>(bytes, *ptr);
      auto node_flags = load<std::uint16_t>(bytes, *ptr + 4);
      auto key_size = load<std::uint16_t>(bytes, *ptr + 6);
      if (!lo_hi || !node_flags || !key_size)
        return false;
      std::uint16_t words[2];
      std::memcpy(words, &*lo_hi, sizeof words);
      bool little = std::endian::native == std::endian::little;
      std::size_t lo = little ? words[0] : words[1];
      std::size_t hi = little ? words[1] : words[0];
      std::size_t low_bits = lo | (hi << 16);
      if ((header->flags & p_branch) != 0) {
        std::size_t child = low_bits;
        if constexpr (sizeof(std::size_t) > 4)
          child |= static_cast<std::size_t>(*node_flags) << 32;
        if (!walk(child, depth + 1))
          return false;
      } else if ((header->flags & p_leaf) != 0) {
        std::size_t data_offset = *ptr + node_header_size + *key_size;
        if (!add_list(bytes, data_offset, low_bits,
                      (*node_flags & f_bigdata) != 0))
          return false;
      } else {
        return false;
      }
    }
    return true;
  }

  /// Free pages found from `first` up to `last`.
  std::size_t found() const {
    return free_.size();
  }

private:
  bool read_pages(std::size_t page, std::size_t count,
                  std::vector<char>& out) {
    std::size_t bytes = count * page_size_;
    return file_.read(out, bytes, page * page_size_) ==
           static_cast<std::ptrdiff_t>(bytes);
  }

  /// One record: an MDB_IDL (count, then page numbers) of `size` bytes, in
  /// `bytes` at `offset` or on overflow pages.
  bool add_list(const std::vector<char>& bytes, std::size_t offset,
                std::size_t size, bool overflow) {
    const std::vector<char>* data = &bytes;
    std::vector<char> pages;
    if (overflow) {
      auto first = load<std::size_t>(bytes, offset);
      if (!first || *first < 2 || *first > last_ || *first >= first_ ||
          !read_pages(*first, 1, pages))
        return false;
      auto header = load<page_header>(pages, 0);
      std::uint32_t count = 0;
      std::memcpy(&count, pages.data() + offsetof(page_header, lower),
                  sizeof count);
      if (!header || (header->flags & p_overflow) == 0 || count == 0 ||
          *first + count - 1 > last_ || *first + count - 1 >= first_ ||
          !read_pages(*first, count, pages))
        return false;
      data = &pages;
      offset = page_header_size;
    }
    if (offset > data->size() || data->size() - offset < size)
      return false;
    auto n = load<std::size_t>(*data, offset);
    if (!n || *n > (size / sizeof(std::size_t)) - 1)
      return false;
    for (std::size_t i = 1; i <= *n; ++i) {
      auto page = *load<std::size_t>(*data, offset + i * sizeof(std::size_t));
      if (page >= first_ && page <= last_)
        free_.insert(page);
    }
    return true;
  }

  file_reader& file_;
  std::size_t page_size_;
  std::size_t first_;
  std::size_t last_;
  std::size_t visited_ = 0;
  std::set<std::size_t> free_;
};

result<void> check_once(const std::filesystem::path& path) {
  const std::string name = path.string();
  file_reader file(path);
  if (!file.opened())
    return error(errno, "open " + name);
  auto stated = [&](int code, const std::string& what) {
    return error::stated(code, name + " " + what);
  };

  // Both meta pages: page 0 gives the page size, page 1 follows it.
  meta_record metas[2];
  std::vector<char> page;
  std::size_t offset = 0;
  for (int i = 0; i < 2; ++i) {
    auto n = file.read(page, page_header_size + sizeof(meta_record), offset);
    if (n < 0)
      return error(static_cast<int>(-n), "read " + name);
    if (i == 0 && n == 0)
      return stated(MDB_INVALID,
                    "is empty (0 bytes), not an LMDB database; remove it to "
                    "start with an empty database");
    int code = 0;
    if (auto fault = meta_fault(page, code)) {
      if (i == 1 && code == MDB_INVALID)
        return stated(MDB_CORRUPTED,
                      "is damaged: " + std::to_string(file.size()) +
                        " bytes, its second meta page (at byte " +
                        std::to_string(offset) + ") is missing or invalid");
      return stated(code, *fault + " " + std::to_string(i) + ")");
    }
    metas[i] = *load<meta_record>(page, page_header_size);
    offset = metas[0].dbs[0].pad;
  }
  if (metas[1].dbs[0].pad != metas[0].dbs[0].pad)
    return stated(MDB_CORRUPTED, "is damaged: its meta pages give page sizes " +
                                   std::to_string(metas[0].dbs[0].pad) +
                                   " and " +
                                   std::to_string(metas[1].dbs[0].pad));
  const meta_record& meta =
    metas[0].txn_id < metas[1].txn_id ? metas[1] : metas[0];
  const std::size_t page_size = meta.dbs[0].pad;
  if (meta.last_page == invalid_page ||
      meta.last_page > (invalid_page / page_size) - 1)
    return stated(MDB_CORRUPTED, "is damaged: its meta page claims page " +
                                   std::to_string(meta.last_page));

  // After the meta pages: a writer writes pages before the meta page that
  // counts them, so the size read now covers what they claim.
  auto size = file.size();
  if (size < 0)
    return error(static_cast<int>(-size), "fstat " + name);
  const std::size_t claimed = (meta.last_page + 1) * page_size;
  const auto file_size = static_cast<std::size_t>(size);
  if (file_size >= claimed)
    return {};
  // Short: fine only when every missing page is free.
  const std::size_t first_missing = file_size / page_size;
  auto damaged = stated(
    MDB_CORRUPTED,
    "is damaged: " + std::to_string(file_size) + " bytes, its meta page " +
      "(transaction " + std::to_string(meta.txn_id) + ") claims " +
      std::to_string(claimed) + " (" + std::to_string(meta.last_page + 1) +
      " pages of " + std::to_string(page_size) + " bytes)");
  if (first_missing < 2 || meta.dbs[0].root == invalid_page)
    return damaged;
  free_page_walk walk(file, page_size, first_missing, meta.last_page);
  if (!walk.walk(meta.dbs[0].root, 0) ||
      walk.found() != meta.last_page - first_missing + 1)
    return damaged;
  return {};
}

}  // namespace

result<void> check_data_file(const std::filesystem::path& path) {
  // A writer in another process may reuse free-database pages while they
  // are read here (this check registers no reader): a damaged verdict is
  // taken only when it repeats. On a file nobody writes it always does.
  auto checked = check_once(path);
  for (int attempt = 1; attempt < 3; ++attempt) {
    if (checked || checked.error().code() != MDB_CORRUPTED)
      break;
    checked = check_once(path);
  }
  return checked;
}

}  // namespace hat::storage::lmdb
