"""Images, datasets and crops.

Images are ``float32 [3, H, W]`` (one) or ``[B, 3, H, W]`` (batch) in [0, 1], RGB, 8-bit values k/255.
See DESIGN.md §2 (image row) and §3 (data).
"""

from semcom.data.crops import PadInfo, RandomCropLoader, crop_back, pad_to_multiple, pad_to_size
from semcom.data.datasets import (DATA_ENV_VAR, DATASETS, ConcatImages, DatasetRegistry, DatasetSpec, ImageDataset,
                                  TarImageDataset, get_dataset, list_datasets, register_dataset,
                                  resolve_data_root, training_images)
from semcom.data.folder import DEFAULT_EXTENSIONS, ImageFolder, ImageItem
from semcom.data.images import (MIN_SIDE, check_image_bytes, check_image_file, decode_image_bytes,
                                describe_conversion, from_uint8, image_from_array, load_image, save_image,
                                to_uint8)
from semcom.data.samples import SAMPLE_IMAGES, SampleImages

__all__ = [
    "DATA_ENV_VAR", "DATASETS", "DEFAULT_EXTENSIONS", "MIN_SIDE", "SAMPLE_IMAGES",
    "DatasetRegistry", "DatasetSpec", "ImageDataset", "ImageFolder", "ImageItem", "PadInfo",
    "RandomCropLoader", "SampleImages", "TarImageDataset",
    "check_image_bytes", "check_image_file", "crop_back", "decode_image_bytes", "describe_conversion",
    "ConcatImages", "training_images", "from_uint8", "get_dataset", "image_from_array", "list_datasets", "load_image", "pad_to_multiple",
    "pad_to_size", "register_dataset", "resolve_data_root", "save_image", "to_uint8",
]
