"""scikit-image's bundled sample photos as a dataset: the offline demo set (DESIGN.md §3).

Only images whose files ship inside the scikit-image wheel (checked for 0.26) are listed, so nothing is
downloaded. Grey images become RGB through the same conversion as :func:`semcom.data.load_image`.
"""

from __future__ import annotations

from semcom.data.folder import ImageItem, apply_limit
from semcom.data.images import image_from_array
from semcom.errors import DatasetError

# id -> (skimage.data function, index into its returned tuple or None)
SAMPLE_IMAGES: dict[str, tuple[str, int | None]] = {
    "astronaut": ("astronaut", None),         # 512x512 RGB
    "camera": ("camera", None),               # 512x512 grey
    "chelsea": ("chelsea", None),             # 300x451 RGB
    "coffee": ("coffee", None),               # 400x600 RGB
    "hubble_deep_field": ("hubble_deep_field", None),  # 872x1000 RGB
    "immunohistochemistry": ("immunohistochemistry", None),  # 512x512 RGB
    "motorcycle_left": ("stereo_motorcycle", 0),  # 500x741 RGB
    "rocket": ("rocket", None),               # 427x640 RGB
}


def _load_array(image_id: str):
    function, index = SAMPLE_IMAGES[image_id]
    try:
        import skimage.data

        result = getattr(skimage.data, function)()
    except (ImportError, OSError, KeyError, AttributeError) as e:
        # ConnectionError (an OSError) or a missing pooch: the file is not bundled with this install.
        raise DatasetError(f"sample image {image_id!r} is not available offline from the installed "
                           f"scikit-image ({type(e).__name__})") from e
    return result if index is None else result[index]


def center_crop(image, size: int):
    """The central ``size`` × ``size`` window of ``[3, H, W]`` (the whole side where it is shorter)."""
    height, width = image.shape[-2:]
    top, left = max(0, (height - size) // 2), max(0, (width - size) // 2)
    return image[..., top:top + size, left:left + size].contiguous()


class SampleImages:
    """The sample photos in :data:`SAMPLE_IMAGES` order; ``image_id`` is the sample's name.

    ``dataset[i].image`` is ``float32 [3, H, W]`` in [0, 1], RGB; decoded on access, not cached. With
    ``crop``, the central ``crop`` × ``crop`` window of each photo.
    """

    def __init__(self, names: tuple[str, ...] | None = None, *, limit: int | None = None,
                 name: str = "samples", crop: int | None = None) -> None:
        names = tuple(SAMPLE_IMAGES) if names is None else tuple(names)
        unknown = [n for n in names if n not in SAMPLE_IMAGES]
        if unknown:
            raise DatasetError(f"unknown sample image(s) {', '.join(unknown)}; available: "
                               f"{', '.join(SAMPLE_IMAGES)}")
        self._ids = tuple(apply_limit(list(names), limit))
        if not self._ids:
            raise DatasetError("no sample images selected")
        self.name = name
        self.crop = crop

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, index: int) -> ImageItem:
        image_id = self._ids[index]
        image = image_from_array(_load_array(image_id), f"sample {image_id}")
        return ImageItem(image_id, image if self.crop is None else center_crop(image, self.crop))

    @property
    def image_ids(self) -> tuple[str, ...]:
        return self._ids

    def validate(self) -> None:
        """Load every sample once (they are small); raises DatasetError or ImageLoadError."""
        for i in range(len(self)):
            self[i]  # noqa: B018 (loading is the check)

    def __repr__(self) -> str:
        return f"SampleImages(images={len(self)})"

