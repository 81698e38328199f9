"""The CSV reader's archives: a ``.zip`` of one file, a ``.zst`` file.

pandas reads both, but the CSV reader sniffs a file's separator from its
first lines first: a ``.zip`` read as text gave the separator '|' from its
bytes, and the file was refused. They are unpacked here, before the sniff.
(gzip, bz2 and xz files are opened by their modules where the lines are
read, ``csvinput._first_lines``.)
"""
import zipfile


def unpacked(path, ext, label):
    """The bytes of a ``.zip`` archive's one file, or of a ``.zst`` file
    decompressed (which needs the ``zstandard`` package, as pandas does)."""
    if ext == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if not n.endswith("/")]
                if len(names) != 1:
                    raise ValueError(f"{label} is a zip archive of {len(names)} files; give one "
                                     "CSV file, or an archive that holds only it.")
                return archive.read(names[0])
        except zipfile.BadZipFile as exc:
            raise ValueError(f"{label} cannot be read as a zip archive ({exc}).") from None
    try:
        import zstandard
    except ImportError:
        raise ValueError(f"{label} is zstd-compressed, which needs the zstandard package: pip "
                         "install zstandard (or decompress the file first).") from None
    with open(path, "rb") as f:
        return zstandard.ZstdDecompressor().stream_reader(f).read()
