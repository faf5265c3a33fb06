using Gatehouse.Core.Common;
using Gatehouse.Core.Pictures;
using Gatehouse.Core.Tests.Fakes;

namespace Gatehouse.Core.Tests.Pictures;

/// <summary>PictureService: checked by content, one id per picture, old files removed.</summary>
public sealed class PictureServiceTests
{
    private static readonly PictureRules Rules = new() { MaximumBytes = 1024, AllowedExtensions = ["png", "jpg", "jpeg", "gif"] };

    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 0, 1];
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
    private static readonly byte[] Gif = [.. "GIF89a"u8, 1, 0, 1, 0, 0, 0, 0, 0];

    private readonly CoreHarness _h = new();

    private async Task<Result<Core.Accounts.User>> SetAsync(string userId, string? name, byte[] bytes, PictureRules? rules = null) =>
        await _h.PictureService.SetAsync(userId, name, new MemoryStream(bytes), rules ?? Rules, CoreHarness.Native);

    [Fact]
    public async Task A_picture_is_stored_under_a_new_id_and_served_with_the_type_of_its_content()
    {
        var user = await _h.RegisterAsync("ada@example.com");

        var set = await SetAsync(user.Id, "me.PNG", Png);

        var id = _h.UserRow(user.Id)!.PictureId!;
        Assert.Equal(id, set.Value.PictureId);
        Assert.StartsWith("pic_", id, StringComparison.Ordinal);
        var opened = await _h.PictureService.OpenAsync(id);
        Assert.Equal("image/png", opened!.ContentType);
        using var read = new MemoryStream();
        await opened.Content.CopyToAsync(read);
        Assert.Equal(Png, read.ToArray());
        Assert.Single(_h.AuditRows(PictureAuditTypes.Updated));
    }

    [Fact]
    public async Task The_content_decides_the_type_not_the_name()
    {
        var user = await _h.RegisterAsync("ada@example.com");

        var set = await SetAsync(user.Id, "me.png", Gif);

        Assert.Equal("image/gif", (await _h.PictureService.OpenAsync(set.Value.PictureId!))!.ContentType);
    }

    [Fact]
    public async Task A_new_picture_replaces_the_old_one_and_deletes_its_file()
    {
        var user = await _h.RegisterAsync("ada@example.com");
        var first = (await SetAsync(user.Id, "a.png", Png)).Value.PictureId!;

        var second = (await SetAsync(user.Id, "b.jpg", Jpeg)).Value.PictureId!;

        Assert.NotEqual(first, second);
        Assert.Equal([second], _h.Pictures.Ids);
        Assert.Null(await _h.PictureService.OpenAsync(first));
        Assert.Equal("image/jpeg", (await _h.PictureService.OpenAsync(second))!.ContentType);
    }

    [Fact]
    public async Task A_text_file_named_like_an_image_is_not_a_picture()
    {
        var user = await _h.RegisterAsync("ada@example.com");

        var set = await SetAsync(user.Id, "me.png", "hello, this is not an image"u8.ToArray());

        Assert.Equal(PictureErrors.NotAnImageCode, set.Error?.Code);
        Assert.Empty(_h.Pictures.Ids);
    }

    [Theory]
    [InlineData(null, PictureErrors.NoFileNameCode)]
    [InlineData("", PictureErrors.NoFileNameCode)]
    [InlineData("me.bmp", PictureErrors.ExtensionNotAllowedCode)]
    [InlineData("no-extension", PictureErrors.ExtensionNotAllowedCode)]
    public async Task The_file_name_must_carry_an_allowed_extension(string? name, string code)
    {
        var user = await _h.RegisterAsync("ada@example.com");

        Assert.Equal(code, (await SetAsync(user.Id, name, Png)).Error?.Code);
    }

    [Fact]
    public async Task A_picture_larger_than_the_limit_is_refused_and_one_at_the_limit_accepted()
    {
        var user = await _h.RegisterAsync("ada@example.com");
        var atLimit = Png.Concat(new byte[Rules.MaximumBytes - Png.Length]).ToArray();

        var tooLarge = await SetAsync(user.Id, "big.png", [.. atLimit, 0]);
        var fits = await SetAsync(user.Id, "big.png", atLimit);

        Assert.Equal(PictureErrors.TooLargeCode, tooLarge.Error?.Code);
        Assert.True(fits.Succeeded);
    }

    [Fact]
    public async Task A_deleted_account_gets_no_picture_and_no_file_is_left_behind()
    {
        var user = await _h.RegisterAsync("ada@example.com");
        await _h.Admin.DeleteUserAsync(user.Id, "usr_admin", CoreHarness.Native);

        Assert.Equal(CoreErrors.NotFoundCode, (await SetAsync(user.Id, "me.png", Png)).Error?.Code);
        Assert.Empty(_h.Pictures.Ids);
    }

    [Fact]
    public async Task Removing_the_picture_clears_it_and_deletes_its_file()
    {
        var user = await _h.RegisterAsync("ada@example.com");
        await SetAsync(user.Id, "a.png", Png);

        var removed = await _h.PictureService.DeleteAsync(user.Id, CoreHarness.Native);
        var again = await _h.PictureService.DeleteAsync(user.Id, CoreHarness.Native);

        Assert.Null(removed.Value.PictureId);
        Assert.Null(_h.UserRow(user.Id)!.PictureId);
        Assert.Empty(_h.Pictures.Ids);
        Assert.True(again.Succeeded);
        Assert.Single(_h.AuditRows(PictureAuditTypes.Deleted));
    }

    [Fact]
    public async Task An_unknown_or_damaged_stored_picture_is_not_served()
    {
        await _h.Pictures.SaveAsync("pic_damaged", "not an image at all"u8.ToArray());

        Assert.Null(await _h.PictureService.OpenAsync("pic_unknown"));
        Assert.Null(await _h.PictureService.OpenAsync("pic_damaged"));
    }
}
