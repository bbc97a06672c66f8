#include "stages/searchable_pdf/pdf_assembly.h"

#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <cstdio>
#include <memory>
#include <span>

#include "pipeline/jp2_codec.h"
#include "pipeline/tiff_codec.h"

namespace lantai::searchable_pdf {

namespace {

using Object = QPDFObjectHandle;

int read_u16(const std::string& bytes, std::size_t at) {
  return (static_cast<unsigned char>(bytes[at]) << 8) | static_cast<unsigned char>(bytes[at + 1]);
}

// Content stream numbers: 4 decimals are far below a printer dot.
std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", value);
  std::string out = text;
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

std::string xml_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // XML 1.0 allows no other control characters than tab and line breaks.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') out += c;
    }
  }
  return out;
}

// PDF/A identification (ISO 19005-2 6.6.4) and the fields the document information
// repeats (6.6.3: they must agree).
std::string xmp_packet(const PdfIdentity& identity) {
  return "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
         "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
         " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
         "  <rdf:Description rdf:about=\"\"\n"
         "    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"\n"
         "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
         "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n"
         "   <pdfaid:part>2</pdfaid:part>\n"
         "   <pdfaid:conformance>B</pdfaid:conformance>\n"
         "   <dc:format>application/pdf</dc:format>\n"
         "   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">" + xml_escaped(identity.title) +
         "</rdf:li></rdf:Alt></dc:title>\n"
         "   <pdf:Producer>" + xml_escaped(identity.producer) + "</pdf:Producer>\n"
         "  </rdf:Description>\n"
         " </rdf:RDF>\n"
         "</x:xmpmeta>\n"
         "<?xpacket end=\"w\"?>";
}

Object dictionary(std::initializer_list<std::pair<const char*, Object>> entries) {
  Object dict = Object::newDictionary();
  for (const auto& [key, value] : entries) dict.replaceKey(key, value);
  return dict;
}

Object rectangle(double width, double height) {
  return Object::newArray({Object::newInteger(0), Object::newInteger(0), Object::newReal(number(width)),
                           Object::newReal(number(height))});
}

// The text-only page of `layer` as a form XObject in `pdf`, and the size of that page.
Object text_layer_form(QPDF& pdf, const std::string& layer, const std::string& name, double& width, double& height) {
  QPDF source;
  source.setSuppressWarnings(true);
  source.setImmediateCopyFrom(true);  // its streams are copied now: source goes out of scope
  source.processMemoryFile(name.c_str(), layer.data(), layer.size());
  std::vector<QPDFPageObjectHelper> pages = QPDFPageDocumentHelper(source).getAllPages();
  if (pages.size() != 1) throw std::runtime_error(name + " has " + std::to_string(pages.size()) + " pages, not 1");
  const Object::Rectangle box = pages[0].getMediaBox().getArrayAsRectangle();
  width = box.urx - box.llx;
  height = box.ury - box.lly;
  if (width <= 0 || height <= 0) throw std::runtime_error(name + " has an empty page");
  return pdf.copyForeignObject(pages[0].getFormXObjectForPage());
}

}  // namespace

JpegFrame read_jpeg_frame(const std::string& jpeg) {
  if (jpeg.size() < 4 || static_cast<unsigned char>(jpeg[0]) != 0xFF || static_cast<unsigned char>(jpeg[1]) != 0xD8)
    throw std::invalid_argument("not a JPEG (no SOI marker)");
  std::size_t at = 2;
  while (at + 4 <= jpeg.size()) {
    if (static_cast<unsigned char>(jpeg[at]) != 0xFF) throw std::invalid_argument("damaged JPEG marker");
    const unsigned char marker = static_cast<unsigned char>(jpeg[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    const int length = read_u16(jpeg, at + 2);
    const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (frame) {
      if (at + 10 > jpeg.size()) break;
      JpegFrame out{read_u16(jpeg, at + 7), read_u16(jpeg, at + 5), static_cast<unsigned char>(jpeg[at + 9])};
      if (static_cast<unsigned char>(jpeg[at + 4]) != 8) throw std::invalid_argument("JPEG of other than 8 bits");
      if (out.components != 1 && out.components != 3)
        throw std::invalid_argument("JPEG with " + std::to_string(out.components) + " colour components");
      if (out.width <= 0 || out.height <= 0) throw std::invalid_argument("JPEG without its size");
      return out;
    }
    at += 2 + static_cast<std::size_t>(length);
  }
  throw std::invalid_argument("JPEG without a frame header");
}

PdfImage pdf_image(std::string derivative) {
  PdfImage image;
  const auto starts_with = [&](std::string_view magic) { return std::string_view(derivative).substr(0, magic.size()) == magic; };
  if (starts_with("\xFF\xD8")) {
    const JpegFrame frame = read_jpeg_frame(derivative);
    image = {ImageCoding::dct, std::move(derivative), frame.width, frame.height, frame.components, 8};
  } else if (starts_with(std::string_view("\0\0\0\x0CjP  ", 8))) {
    const std::optional<Jp2Header> header = parse_jp2_header(
        std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(derivative.data()), derivative.size()));
    if (!header || header->width <= 0 || header->height <= 0)
      throw std::invalid_argument("JPEG 2000 file without a readable image header");
    if (header->components != 1 && header->components != 3)
      throw std::invalid_argument("JPEG 2000 with " + std::to_string(header->components) + " components");
    image = {ImageCoding::jpx, std::move(derivative), header->width, header->height, header->components, 8};
  } else if (starts_with("II") || starts_with("MM")) {
    TiffPage page;
    try {
      page = decode_tiff(derivative);
    } catch (const std::runtime_error& error) {
      throw std::invalid_argument(error.what());
    }
    const cv::Mat& pixels = page.image;
    image = {ImageCoding::raw, {}, pixels.cols, pixels.rows, pixels.channels(), page.bits_per_sample == 1 ? 1 : 8};
    if (std::optional<std::string> g4 = g4_strip(derivative)) {
      image.coding = ImageCoding::g4;
      image.data = std::move(*g4);
    } else if (image.bits == 1) {
      // DeviceGray at 1 bit: 1 is white, rows padded to whole bytes.
      const std::size_t row_bytes = (static_cast<std::size_t>(pixels.cols) + 7) / 8;
      image.data.assign(row_bytes * pixels.rows, '\0');
      for (int y = 0; y < pixels.rows; ++y) {
        const unsigned char* row = pixels.ptr(y);
        for (int x = 0; x < pixels.cols; ++x)
          if (row[x] >= 128) image.data[y * row_bytes + (x >> 3)] |= static_cast<char>(0x80 >> (x & 7));
      }
    } else {
      image.data.reserve(pixels.total() * pixels.channels());
      for (int y = 0; y < pixels.rows; ++y) {
        const unsigned char* row = pixels.ptr(y);
        if (pixels.channels() == 1) {
          image.data.append(reinterpret_cast<const char*>(row), pixels.cols);
        } else {
          for (int x = 0; x < pixels.cols; ++x) {  // BGR → RGB
            image.data.push_back(static_cast<char>(row[3 * x + 2]));
            image.data.push_back(static_cast<char>(row[3 * x + 1]));
            image.data.push_back(static_cast<char>(row[3 * x]));
          }
        }
      }
    }
  } else {
    throw std::invalid_argument("not a JPEG, JPEG 2000 or TIFF image");
  }
  return image;
}

std::string assemble_pdf(const std::vector<PdfPage>& pages, const PdfIdentity& identity) {
  if (pages.empty()) throw std::runtime_error("a PDF needs at least one page");
  QPDF pdf;
  pdf.emptyPDF();
  QPDFPageDocumentHelper document(pdf);
  for (std::size_t i = 0; i < pages.size(); ++i) {
    const PdfPage& page = pages[i];
    const std::string page_name = "page " + std::to_string(i + 1);
    const PdfImage& picture = page.image;
    if (picture.width <= 0 || picture.height <= 0) throw std::runtime_error(page_name + ": image without a size");
    if (!(page.resolution_dpi > 0)) throw std::runtime_error(page_name + ": no resolution");
    const double width = picture.width * 72.0 / page.resolution_dpi;
    const double height = picture.height * 72.0 / page.resolution_dpi;

    // JPEG and JPEG 2000 as they are: qpdf never decodes DCTDecode or JPXDecode when it
    // writes. Raw samples get no filter here; the writer Flate-compresses them.
    Object image = pdf.newStream();
    switch (picture.coding) {
      case ImageCoding::dct:
        image.replaceStreamData(picture.data, Object::newName("/DCTDecode"), Object::newNull());
        break;
      case ImageCoding::jpx:
        image.replaceStreamData(picture.data, Object::newName("/JPXDecode"), Object::newNull());
        break;
      case ImageCoding::raw: image.replaceStreamData(picture.data, Object::newNull(), Object::newNull()); break;
      case ImageCoding::g4:
        image.replaceStreamData(picture.data, Object::newName("/CCITTFaxDecode"),
                                dictionary({{"/K", Object::newInteger(-1)},
                                            {"/Columns", Object::newInteger(picture.width)},
                                            {"/Rows", Object::newInteger(picture.height)}}));
        break;
    }
    image.getDict().replaceKey("/Type", Object::newName("/XObject"));
    image.getDict().replaceKey("/Subtype", Object::newName("/Image"));
    image.getDict().replaceKey("/Width", Object::newInteger(picture.width));
    image.getDict().replaceKey("/Height", Object::newInteger(picture.height));
    image.getDict().replaceKey("/ColorSpace", Object::newName(picture.components == 1 ? "/DeviceGray" : "/DeviceRGB"));
    image.getDict().replaceKey("/BitsPerComponent", Object::newInteger(picture.bits));

    Object xobjects = dictionary({{"/Im0", image}});
    std::string content = "q " + number(width) + " 0 0 " + number(height) + " 0 0 cm /Im0 Do Q\n";
    if (page.text_layer) {
      double layer_width = 0, layer_height = 0;
      Object form;
      try {
        form = text_layer_form(pdf, *page.text_layer, page_name + " text layer", layer_width, layer_height);
      } catch (const QPDFExc& error) {
        throw std::runtime_error(page_name + ": text layer unreadable: " + error.what());
      }
      xobjects.replaceKey("/Tx0", form);
      // The layer's page is the image OCR read, possibly a reduced copy: stretch it onto the page.
      content += "q " + number(width / layer_width) + " 0 0 " + number(height / layer_height) + " 0 0 cm /Tx0 Do Q\n";
    }
    Object page_object = pdf.makeIndirectObject(dictionary({
        {"/Type", Object::newName("/Page")},
        {"/MediaBox", rectangle(width, height)},
        {"/Resources", dictionary({{"/XObject", xobjects}})},
        {"/Contents", pdf.newStream(content)},
    }));
    document.addPage(QPDFPageObjectHelper(page_object), false);
  }

  Object root = pdf.getRoot();
  Object metadata = pdf.newStream(xmp_packet(identity));
  metadata.getDict().replaceKey("/Type", Object::newName("/Metadata"));
  metadata.getDict().replaceKey("/Subtype", Object::newName("/XML"));
  root.replaceKey("/Metadata", metadata);
  Object icc = pdf.newStream(identity.icc_profile);
  icc.getDict().replaceKey("/N", Object::newInteger(3));
  root.replaceKey("/OutputIntents",
                  Object::newArray({dictionary({
                      {"/Type", Object::newName("/OutputIntent")},
                      {"/S", Object::newName("/GTS_PDFA1")},
                      {"/OutputConditionIdentifier", Object::newString("sRGB IEC61966-2.1")},
                      {"/Info", Object::newString("sRGB IEC61966-2.1")},
                      {"/DestOutputProfile", icc},
                  })}));
  pdf.getTrailer().replaceKey("/Info", pdf.makeIndirectObject(dictionary({
                                           {"/Title", Object::newUnicodeString(identity.title)},
                                           {"/Producer", Object::newUnicodeString(identity.producer)},
                                       })));

  QPDFWriter writer(pdf);
  writer.setOutputMemory();
  writer.setMinimumPDFVersion("1.7");
  writer.setDeterministicID(true);  // the same pages give the same bytes
  writer.setCompressStreams(true);  // qpdf leaves the XMP stream uncompressed, as PDF/A asks
  writer.setDecodeLevel(qpdf_dl_generalized);
  writer.write();
  std::shared_ptr<Buffer> buffer = writer.getBufferSharedPointer();
  return std::string(reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize());
}

}  // namespace lantai::searchable_pdf
