using Gatehouse.Core.Common;

namespace Gatehouse.Core.Tests.Common;

public sealed class ShortLivedCacheTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void A_stored_value_is_served_until_its_lifetime_ends()
    {
        var clock = new Clock();
        var cache = new ShortLivedCache<string>(clock);
        cache.Set("k", "v", cache.Stamp("k"), TimeSpan.FromMilliseconds(900));

        clock.Now += TimeSpan.FromMilliseconds(899);
        Assert.True(cache.TryGet("k", out var value));
        Assert.Equal("v", value);

        clock.Now += TimeSpan.FromMilliseconds(1);
        Assert.False(cache.TryGet("k", out _));
    }

    [Fact]
    public void A_value_read_before_an_invalidation_is_not_stored_after_it()
    {
        var cache = new ShortLivedCache<string>(new Clock());
        var stampBeforeRead = cache.Stamp("k");

        cache.Invalidate("k");
        cache.Set("k", "read before the change", stampBeforeRead, TimeSpan.FromSeconds(1));

        Assert.False(cache.TryGet("k", out _));
    }

    [Fact]
    public void Invalidation_drops_a_stored_value_at_once()
    {
        var cache = new ShortLivedCache<string>(new Clock());
        cache.Set("k", "v", cache.Stamp("k"), TimeSpan.FromSeconds(1));

        cache.Invalidate("k");

        Assert.False(cache.TryGet("k", out _));
        cache.Set("k", "read after the change", cache.Stamp("k"), TimeSpan.FromSeconds(1));
        Assert.True(cache.TryGet("k", out var value));
        Assert.Equal("read after the change", value);
    }
}
