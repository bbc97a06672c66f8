#include "pipeline/image.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <vector>
#include <utility>

namespace lantai {

namespace {

std::size_t page_rounded(std::size_t bytes) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

// Maps bytes (page-rounded) of fresh pages. A buffer of 2 MB or more starts on a 2 MB
// boundary and asks for transparent huge pages: a colour A4 page at 300 dpi is 26 MB,
// and touching it 4 KB at a time costs thousands of page faults per buffer.
void* map_pages(std::size_t bytes) {
  constexpr std::size_t kHugePage = std::size_t{2} << 20;
  const int protection = PROT_READ | PROT_WRITE, flags = MAP_PRIVATE | MAP_ANONYMOUS;
  if (bytes < kHugePage) {
    void* pages = ::mmap(nullptr, bytes, protection, flags, -1, 0);
    return pages == MAP_FAILED ? nullptr : pages;
  }
  const std::size_t span = bytes + kHugePage;
  void* mapped = ::mmap(nullptr, span, protection, flags, -1, 0);
  if (mapped == MAP_FAILED) return nullptr;
  auto* raw = static_cast<char*>(mapped);
  const auto misalignment = reinterpret_cast<std::uintptr_t>(raw) % kHugePage;
  char* aligned = misalignment == 0 ? raw : raw + (kHugePage - misalignment);
  if (aligned > raw) ::munmap(raw, static_cast<std::size_t>(aligned - raw));
  if (raw + span > aligned + bytes) ::munmap(aligned + bytes, static_cast<std::size_t>(raw + span - (aligned + bytes)));
  ::madvise(aligned, bytes, MADV_HUGEPAGE);  // advice only: without it the pages are ordinary
  return aligned;
}

// A mapping of pages: where it starts and how long it is.
struct Mapping {
  void* pages = nullptr;
  std::size_t bytes = 0;
};

// Mappings freed a moment ago, kept for the next buffer of about their size. A fresh
// mapping's pages are zeroed by the kernel as they are first touched, which on colour A4
// pages cost a tenth of a run's time; a kept one's are not. Pages are mostly cropped to
// their own sizes, so a kept mapping serves any buffer it holds with no more than a
// quarter to spare. At most kKeptBytes are kept; the oldest are given back first.
class KeptMappings {
 public:
  static constexpr std::size_t kKeptBytes = std::size_t{96} << 20;

  std::optional<Mapping> take(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    for (auto it = kept_.rbegin(); it != kept_.rend(); ++it) {
      if (it->bytes < bytes || it->bytes - bytes > bytes / 4) continue;
      const Mapping mapping = *it;
      kept_.erase(std::next(it).base());
      kept_bytes_ -= mapping.bytes;
      return mapping;
    }
    return std::nullopt;
  }

  void keep(const Mapping& mapping) {
    std::vector<Mapping> given_back;
    {
      std::lock_guard lock(mutex_);
      kept_.push_back(mapping);
      kept_bytes_ += mapping.bytes;
      while (kept_bytes_ > kKeptBytes) {
        given_back.push_back(kept_.front());
        kept_bytes_ -= kept_.front().bytes;
        kept_.pop_front();
      }
    }
    for (const Mapping& old : given_back) ::munmap(old.pages, old.bytes);
  }

 private:
  std::mutex mutex_;
  std::deque<Mapping> kept_;
  std::size_t kept_bytes_ = 0;
};

KeptMappings& kept_mappings() {
  static KeptMappings* kept = new KeptMappings;  // never destroyed: buffers may be freed at exit
  return *kept;
}

// Gives cv::Mat buffers pages of their own, so they can be made read-only without
// touching any other allocation. Lifetime follows cv::Mat's reference count.
class PageAllocator final : public cv::MatAllocator {
 public:
  // min_bytes: smaller buffers go to OpenCV's own allocator (mapping each small temporary
  // would cost a page and a system call).
  explicit PageAllocator(std::size_t min_bytes) : min_bytes_(min_bytes) {}

  cv::UMatData* allocate(int dims, const int* sizes, int type, void* data, size_t* step, cv::AccessFlag flags,
                         cv::UMatUsageFlags usage) const override {
    size_t total = CV_ELEM_SIZE(type);
    for (int i = dims - 1; i >= 0; --i) {
      if (step) step[i] = total;
      total *= static_cast<size_t>(sizes[i]);
    }
    if (data || total < min_bytes_)
      return cv::Mat::getStdAllocator()->allocate(dims, sizes, type, data, step, flags, usage);
    const std::size_t bytes = page_rounded(total);
    std::optional<Mapping> mapping = kept_mappings().take(bytes);
    if (!mapping) {
      void* pages = map_pages(bytes);
      if (!pages) throw std::bad_alloc();
      mapping = Mapping{pages, bytes};
    }
    auto* u = new cv::UMatData(this);
    u->data = u->origdata = static_cast<uchar*>(mapping->pages);
    u->size = total;
    u->userdata = new Mapping(*mapping);
    return u;
  }
  bool allocate(cv::UMatData* u, cv::AccessFlag, cv::UMatUsageFlags) const override { return u != nullptr; }
  void deallocate(cv::UMatData* u) const override {
    if (!u) return;
    std::unique_ptr<Mapping> mapping(static_cast<Mapping*>(u->userdata));
    delete u;
    // A sealed buffer was made read-only: writable again before anyone reuses it.
    if (::mprotect(mapping->pages, mapping->bytes, PROT_READ | PROT_WRITE) == 0) kept_mappings().keep(*mapping);
    else ::munmap(mapping->pages, mapping->bytes);
  }

 private:
  std::size_t min_bytes_;
};

// Every buffer Image::seal makes.
PageAllocator& sealing_allocator() {
  // Stateless, and must outlive every Mat it made: one for the process, like OpenCV's own.
  static PageAllocator allocator(0);
  return allocator;
}

// Every large buffer anyone makes, once Image::map_large_buffers() is called.
PageAllocator& large_buffer_allocator() {
  static PageAllocator allocator(1 << 20);
  return allocator;
}

// Whether pixels are the whole of a buffer of pages of their own that no other Mat shares.
bool alone_on_own_pages(const cv::Mat& pixels) {
  const cv::UMatData* u = pixels.u;
  return u && (u->currAllocator == &sealing_allocator() || u->currAllocator == &large_buffer_allocator()) &&
         u->refcount == 1 && pixels.data == u->origdata && pixels.isContinuous() &&
         pixels.total() * pixels.elemSize() == u->size;
}

}  // namespace

Image Image::protect(cv::Mat pixels) {
  if (::mprotect(pixels.u->origdata, page_rounded(pixels.u->size), PROT_READ) != 0) throw std::bad_alloc();
  return Image(std::move(pixels));
}

Image Image::seal(const cv::Mat& pixels) {
  if (pixels.empty()) return Image();
  cv::Mat sealed;
  sealed.allocator = &sealing_allocator();
  sealed.create(pixels.dims, pixels.size.p, pixels.type());
  pixels.copyTo(sealed);
  return protect(std::move(sealed));
}

Image Image::seal(cv::Mat&& pixels) {
  if (pixels.empty() || !alone_on_own_pages(pixels)) return seal(std::as_const(pixels));
  cv::Mat taken = std::move(pixels);
  return protect(std::move(taken));
}

void Image::map_large_buffers() { cv::Mat::setDefaultAllocator(&large_buffer_allocator()); }

}  // namespace lantai
