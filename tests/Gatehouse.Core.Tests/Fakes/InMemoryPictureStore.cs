using System.Collections.Concurrent;
using Gatehouse.Core.Pictures;

namespace Gatehouse.Core.Tests.Fakes;

/// <summary>Picture bytes by id, in memory.</summary>
internal sealed class InMemoryPictureStore : IPictureStore
{
    private readonly ConcurrentDictionary<string, byte[]> _pictures = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Ids => _pictures.Keys.ToList();

    public Task SaveAsync(string pictureId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        _pictures[pictureId] = content.ToArray();
        return Task.CompletedTask;
    }

    public Task<Stream?> OpenReadAsync(string pictureId, CancellationToken cancellationToken = default) =>
        Task.FromResult<Stream?>(_pictures.TryGetValue(pictureId, out var bytes) ? new MemoryStream(bytes, writable: false) : null);

    public Task DeleteAsync(string pictureId, CancellationToken cancellationToken = default)
    {
        _pictures.TryRemove(pictureId, out _);
        return Task.CompletedTask;
    }
}
