// OpenJPEG's codec, stream and image as owning handles: the one place their release is
// spelt, for the JP2 writer and reader here and the decode stage's hardened reader.
#pragma once

#include <memory>

#include <openjpeg.h>

namespace lantai::openjpeg {

struct CodecCloser {
  void operator()(opj_codec_t* codec) const { opj_destroy_codec(codec); }
};
struct StreamCloser {
  void operator()(opj_stream_t* stream) const { opj_stream_destroy(stream); }
};
struct ImageCloser {
  void operator()(opj_image_t* image) const { opj_image_destroy(image); }
};
using Codec = std::unique_ptr<opj_codec_t, CodecCloser>;
using Stream = std::unique_ptr<opj_stream_t, StreamCloser>;
using Image = std::unique_ptr<opj_image_t, ImageCloser>;

}  // namespace lantai::openjpeg
