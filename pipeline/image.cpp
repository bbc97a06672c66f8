#include "pipeline/image.h"

#include <sys/mman.h>
#include <unistd.h>

#include <new>

namespace lantai {

namespace {

std::size_t page_rounded(std::size_t bytes) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

// Gives cv::Mat buffers of their own pages, so they can be made read-only without
// touching any other allocation. Lifetime follows cv::Mat's reference count.
class SealableAllocator final : public cv::MatAllocator {
 public:
  cv::UMatData* allocate(int dims, const int* sizes, int type, void* data, size_t* step, cv::AccessFlag,
                         cv::UMatUsageFlags) const override {
    // Sealable buffers are always ours: Image::seal never wraps caller memory.
    CV_Assert(data == nullptr);
    size_t total = CV_ELEM_SIZE(type);
    for (int i = dims - 1; i >= 0; --i) {
      if (step) step[i] = total;
      total *= static_cast<size_t>(sizes[i]);
    }
    void* pages = ::mmap(nullptr, page_rounded(total), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED) throw std::bad_alloc();
    auto* u = new cv::UMatData(this);
    u->data = u->origdata = static_cast<uchar*>(pages);
    u->size = total;
    return u;
  }
  bool allocate(cv::UMatData* u, cv::AccessFlag, cv::UMatUsageFlags) const override { return u != nullptr; }
  void deallocate(cv::UMatData* u) const override {
    if (!u) return;
    ::munmap(u->origdata, page_rounded(u->size));
    delete u;
  }
};

const SealableAllocator& sealable_allocator() {
  // Stateless, and must outlive every Mat it made: one for the process, like OpenCV's own.
  static const SealableAllocator allocator;
  return allocator;
}

}  // namespace

Image Image::seal(const cv::Mat& pixels) {
  if (pixels.empty()) return Image();
  cv::Mat sealed;
  sealed.allocator = const_cast<SealableAllocator*>(&sealable_allocator());
  sealed.create(pixels.dims, pixels.size.p, pixels.type());
  pixels.copyTo(sealed);
  if (::mprotect(sealed.u->origdata, page_rounded(sealed.u->size), PROT_READ) != 0) throw std::bad_alloc();
  return Image(std::move(sealed));
}

}  // namespace lantai
