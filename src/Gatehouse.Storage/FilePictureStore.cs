using System.Text.RegularExpressions;
using Gatehouse.Core.Pictures;

namespace Gatehouse.Storage;

/// <summary>Pictures as files in one folder (<c>&lt;DataDirectory&gt;/pictures/&lt;id&gt;</c>).</summary>
public sealed partial class FilePictureStore(string directory) : IPictureStore
{
    public async Task SaveAsync(string pictureId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        var path = PathOf(pictureId);
        var temporary = path + ".tmp";
        // Written aside and moved into place, so a reader never sees half a picture.
        await File.WriteAllBytesAsync(temporary, content, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    public Task<Stream?> OpenReadAsync(string pictureId, CancellationToken cancellationToken = default)
    {
        if (!IsValidId(pictureId))
        {
            return Task.FromResult<Stream?>(null);
        }
        try
        {
            return Task.FromResult<Stream?>(new FileStream(PathOf(pictureId), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 4096, useAsync: true));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task DeleteAsync(string pictureId, CancellationToken cancellationToken = default)
    {
        if (IsValidId(pictureId))
        {
            // File.Delete does nothing when the file is missing: deleting twice is fine.
            File.Delete(PathOf(pictureId));
        }
        return Task.CompletedTask;
    }

    /// <summary>Ids come from URLs: only our own id shape may become a file name (no path traversal).</summary>
    public static bool IsValidId(string pictureId) => PictureIdPattern().IsMatch(pictureId);

    private string PathOf(string pictureId) =>
        IsValidId(pictureId) ? Path.Combine(directory, pictureId) : throw new ArgumentException("Not a picture id.", nameof(pictureId));

    [GeneratedRegex("^pic_[A-Za-z0-9_-]{16,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex PictureIdPattern();
}
