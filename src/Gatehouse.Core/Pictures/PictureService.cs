using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;

namespace Gatehouse.Core.Pictures;

/// <summary>The image formats a profile picture may have, recognised by their content.</summary>
public enum PictureFormat
{
    Png,
    Jpeg,
    Gif,
}

/// <summary>
/// Limits of the API a picture comes through (FitTrackee: 1 MB; jpg, jpeg, png, gif). The
/// content must be a PNG, JPEG or GIF whatever the extensions allow.
/// </summary>
public sealed record PictureRules
{
    public required long MaximumBytes { get; init; }

    /// <summary>Allowed file name extensions, lower-case, without the dot.</summary>
    public required IReadOnlyCollection<string> AllowedExtensions { get; init; }
}

/// <summary>Why a picture was refused; adapters map these codes to their own messages.</summary>
public static class PictureErrors
{
    public const string NoFileNameCode = "picture_no_file_name";
    public const string ExtensionNotAllowedCode = "picture_extension_not_allowed";
    public const string NotAnImageCode = "picture_not_an_image";
    public const string TooLargeCode = "picture_too_large";

    public static CoreError NoFileName { get; } = new(NoFileNameCode, "The file has no name.");
    public static CoreError ExtensionNotAllowed { get; } = new(ExtensionNotAllowedCode, "The file name extension is not allowed.");
    public static CoreError NotAnImage { get; } = new(NotAnImageCode, "The file is not a PNG, JPEG or GIF image.");
    public static CoreError TooLarge { get; } = new(TooLargeCode, "The file is too large.");
}

public static class PictureAuditTypes
{
    public const string Updated = "account.picture_updated";
    public const string Deleted = "account.picture_deleted";
}

/// <summary>Where picture bytes live (files under the data directory), keyed by picture id.</summary>
public interface IPictureStore
{
    Task SaveAsync(string pictureId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>The stored bytes, or null when there is no such picture.</summary>
    Task<Stream?> OpenReadAsync(string pictureId, CancellationToken cancellationToken = default);

    /// <summary>Removes a picture; nothing happens when it does not exist.</summary>
    Task DeleteAsync(string pictureId, CancellationToken cancellationToken = default);
}

/// <summary>A stored picture opened for reading, with the media type of its real content.</summary>
public sealed record StoredPicture(Stream Content, string ContentType);

/// <summary>
/// Profile pictures, shared by every surface: the id is on the user (<see cref="User.PictureId"/>),
/// the bytes in an <see cref="IPictureStore"/>. A new picture gets a new id, so a URL never
/// shows two different images and the old file can be deleted at once.
/// </summary>
public sealed class PictureService(IUserRepository users, IUnitOfWork unitOfWork, IPictureStore store, IAuditLog audit, TimeProvider time)
{
    /// <summary>Enough bytes to tell the formats apart (PNG's signature and IHDR chunk type).</summary>
    private const int SniffLength = 16;

    /// <summary>
    /// Validates and stores a new picture for the user, replacing (and deleting) the old one.
    /// Reads at most <see cref="PictureRules.MaximumBytes"/> + 1 bytes of <paramref name="content"/>:
    /// a larger upload is refused without being read to its end.
    /// </summary>
    public async Task<Result<User>> SetAsync(string userId, string? fileName, Stream content, PictureRules rules, RequestContext context, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(fileName))
        {
            return PictureErrors.NoFileName;
        }
        var dot = fileName.LastIndexOf('.');
        var extension = dot < 0 ? "" : fileName[(dot + 1)..].ToLowerInvariant();
        if (!rules.AllowedExtensions.Contains(extension, StringComparer.Ordinal))
        {
            return PictureErrors.ExtensionNotAllowed;
        }
        var bytes = await ReadAtMostAsync(content, rules.MaximumBytes, cancellationToken);
        if (bytes is null)
        {
            return PictureErrors.TooLarge;
        }
        // The name says nothing about the bytes: a text file renamed .png is not a picture.
        if (Detect(bytes.Value.Span) is null)
        {
            return PictureErrors.NotAnImage;
        }
        var user = await users.FindByIdAsync(userId, cancellationToken);
        if (user is null || user.Status == UserStatus.Deleted)
        {
            return CoreErrors.NotFound;
        }
        var id = SecureTokens.NewId("pic");
        await store.SaveAsync(id, bytes.Value, cancellationToken);
        var previous = user.PictureId;
        user.PictureId = id;
        user.UpdatedAt = time.GetUtcNow();
        audit.Record(time, PictureAuditTypes.Updated, context, user.Id);
        try
        {
            await unitOfWork.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            // The user still points at the previous picture: do not leave an orphan file.
            await store.DeleteAsync(id, CancellationToken.None);
            throw;
        }
        if (previous is not null)
        {
            await store.DeleteAsync(previous, CancellationToken.None);
        }
        return user;
    }

    /// <summary>Removes the user's picture; succeeds also when there is none.</summary>
    public async Task<Result<User>> DeleteAsync(string userId, RequestContext context, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByIdAsync(userId, cancellationToken);
        if (user is null || user.Status == UserStatus.Deleted)
        {
            return CoreErrors.NotFound;
        }
        if (user.PictureId is not { } previous)
        {
            return user;
        }
        user.PictureId = null;
        user.UpdatedAt = time.GetUtcNow();
        audit.Record(time, PictureAuditTypes.Deleted, context, user.Id);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        await store.DeleteAsync(previous, CancellationToken.None);
        return user;
    }

    /// <summary>Opens a stored picture, or returns null for an unknown id.</summary>
    public async Task<StoredPicture?> OpenAsync(string pictureId, CancellationToken cancellationToken = default)
    {
        var stream = await store.OpenReadAsync(pictureId, cancellationToken);
        if (stream is null)
        {
            return null;
        }
        var head = new byte[SniffLength];
        var read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        stream.Position = 0;
        // The type comes from the bytes, never from a name a user chose.
        var format = Detect(head.AsSpan(0, read));
        if (format is null)
        {
            await stream.DisposeAsync();
            return null;
        }
        return new StoredPicture(stream, ContentType(format.Value));
    }

    public static string ContentType(PictureFormat format) => format switch
    {
        PictureFormat.Png => "image/png",
        PictureFormat.Jpeg => "image/jpeg",
        _ => "image/gif",
    };

    /// <summary>Recognises PNG, JPEG and GIF by their signatures (magic bytes).</summary>
    public static PictureFormat? Detect(ReadOnlySpan<byte> content)
    {
        // PNG: the 8-byte signature, then the IHDR chunk that must come first (PNG spec 5.2, 5.6).
        if (content.Length >= 16 && content[..8].SequenceEqual(PngSignature) && content[12..16].SequenceEqual("IHDR"u8))
        {
            return PictureFormat.Png;
        }
        // JPEG: SOI marker followed by another marker (JPEG/JFIF, ITU T.81 B.1.1.3).
        if (content.Length >= 4 && content[0] == 0xFF && content[1] == 0xD8 && content[2] == 0xFF)
        {
            return PictureFormat.Jpeg;
        }
        // GIF: "GIF87a" or "GIF89a" header, then a logical screen descriptor.
        if (content.Length >= 13 && (content[..6].SequenceEqual("GIF87a"u8) || content[..6].SequenceEqual("GIF89a"u8)))
        {
            return PictureFormat.Gif;
        }
        return null;
    }

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Reads the whole stream if it holds at most <paramref name="maximum"/> bytes; null if it holds more.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadAtMostAsync(Stream content, long maximum, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var read = await content.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return buffer.ToArray();
            }
            if (buffer.Length + read > maximum)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
    }
}
