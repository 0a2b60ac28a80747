// Placeholder: order-preserving double encoding is being written.
#ifndef BASALT_CODEC_SORTABLE_DOUBLE_H_
#define BASALT_CODEC_SORTABLE_DOUBLE_H_
#endif
