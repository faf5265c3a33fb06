using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Dialects.Fittrackee;

/// <summary>Picture upload, replace and delete: stored by the core, checked by content, served by the native API.</summary>
public sealed class FittrackeePictureTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private const string TooLarge = "Error during picture update: file size exceeds 1.0MB.";

    private readonly FittrackeeClient _api = new(factory.CreateClient());

    private async Task<(string Token, long Id)> NewUserAsync()
    {
        var (_, token) = await _api.NewUserAsync();
        var id = (await _api.ProfileAsync(token)).Json.GetProperty("data").GetProperty("id").GetInt64();
        return (token, id);
    }

    [Theory]
    [InlineData("png", "avatar.png", "image/png")]
    [InlineData("jpeg", "avatar.jpg", "image/jpeg")]
    [InlineData("jpeg", "AVATAR.JPEG", "image/jpeg")]
    [InlineData("gif", "avatar.gif", "image/gif")]
    public async Task A_real_image_is_stored_and_served_by_the_native_api_with_its_real_type(string kind, string fileName, string contentType)
    {
        var bytes = kind switch { "png" => Images.Png, "jpeg" => Images.Jpeg, _ => Images.Gif };
        var (token, id) = await NewUserAsync();

        var answer = await _api.UploadAsync(token, bytes, fileName);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Golden.AssertMatches("fittrackee/picture.json", answer.Body);
        Assert.True((await _api.ProfileAsync(token)).Json.GetProperty("data").GetProperty("picture").GetBoolean());

        var pictureId = await Images.PictureIdAsync(factory, id);
        Assert.NotNull(pictureId);
        var served = await factory.CreateClient().GetAsync($"/api/v1/pictures/{pictureId}");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(contentType, served.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", served.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(bytes, await served.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Replacing_a_picture_deletes_the_old_file()
    {
        var (token, id) = await NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await _api.UploadAsync(token, Images.Png, "a.png")).Status);
        var first = (await Images.PictureIdAsync(factory, id))!;
        Assert.True(File.Exists(Images.PathOf(factory, first)));

        Assert.Equal(HttpStatusCode.OK, (await _api.UploadAsync(token, Images.Gif, "b.gif")).Status);
        var second = (await Images.PictureIdAsync(factory, id))!;
        Assert.NotEqual(first, second);
        Assert.False(File.Exists(Images.PathOf(factory, first)));
        Assert.True(File.Exists(Images.PathOf(factory, second)));
        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClient().GetAsync($"/api/v1/pictures/{first}")).StatusCode);
    }

    [Fact]
    public async Task Delete_answers_204_removes_the_file_and_is_idempotent()
    {
        var (token, id) = await NewUserAsync();
        var none = await _api.SendAsync(HttpMethod.Delete, "/picture", token);
        Assert.Equal(HttpStatusCode.NoContent, none.Status);
        Assert.Equal("", none.Body);

        Assert.Equal(HttpStatusCode.OK, (await _api.UploadAsync(token, Images.Jpeg, "me.jpg")).Status);
        var pictureId = (await Images.PictureIdAsync(factory, id))!;
        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, "/picture", token)).Status);
        Assert.False(File.Exists(Images.PathOf(factory, pictureId)));
        Assert.Null(await Images.PictureIdAsync(factory, id));
        Assert.False((await _api.ProfileAsync(token)).Json.GetProperty("data").GetProperty("picture").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, "/picture", token)).Status);
    }

    [Theory]
    [InlineData("text", "notes.png")]
    [InlineData("text", "notes.gif")]
    [InlineData("png", "avatar.txt")]
    [InlineData("png", "avatar.svg")]
    [InlineData("png", "avatar")]
    [InlineData("png", "avatar.png.exe")]
    public async Task A_disguised_or_misnamed_file_is_refused_as_an_extension_not_allowed(string kind, string fileName)
    {
        var (token, id) = await NewUserAsync();
        var answer = await _api.UploadAsync(token, kind == "png" ? Images.Png : Images.Text, fileName);
        FittrackeeClient.AssertError(answer, HttpStatusCode.BadRequest, "File extension not allowed.", "fail");
        Assert.Null(await Images.PictureIdAsync(factory, id));
    }

    [Fact]
    public async Task A_truncated_png_signature_is_not_an_image()
    {
        var (token, _) = await NewUserAsync();
        FittrackeeClient.AssertError(await _api.UploadAsync(token, Images.Png[..8], "a.png"), HttpStatusCode.BadRequest, "File extension not allowed.", "fail");
    }

    [Fact]
    public async Task A_form_without_a_file_part_or_a_non_multipart_body_says_no_file_part()
    {
        var (token, _) = await NewUserAsync();
        FittrackeeClient.AssertError(await _api.UploadAsync(token, Images.Png, "a.png", field: "picture"), HttpStatusCode.BadRequest, "No file part.", "fail");
        FittrackeeClient.AssertError(await _api.PostJsonAsync("/picture", "{}", token), HttpStatusCode.BadRequest, "No file part.", "fail");
        var fieldOnly = new MultipartFormDataContent { { new StringContent("value"), "file" } };
        FittrackeeClient.AssertError(await _api.SendAsync(HttpMethod.Post, "/picture", token, fieldOnly), HttpStatusCode.BadRequest, "No file part.", "fail");
        FittrackeeClient.AssertError(await _api.SendAsync(HttpMethod.Post, "/picture", token, new StringContent("--x\r\nbroken", Encoding.UTF8, "multipart/form-data")), HttpStatusCode.BadRequest, "No file part.", "fail");
    }

    [Fact]
    public async Task A_file_part_with_an_empty_file_name_says_no_selected_file()
    {
        var (token, _) = await NewUserAsync();
        const string body = "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--b0undary--\r\n";
        var content = new StringContent(body, Encoding.ASCII);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b0undary");
        FittrackeeClient.AssertError(await _api.SendAsync(HttpMethod.Post, "/picture", token, content), HttpStatusCode.BadRequest, "No selected file.", "fail");
    }

    [Fact]
    public async Task A_picture_of_exactly_one_megabyte_is_accepted_and_one_byte_more_is_413()
    {
        var (token, id) = await NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await _api.UploadAsync(token, Images.PngOfSize(1024 * 1024), "big.png")).Status);
        var kept = await Images.PictureIdAsync(factory, id);

        var answer = await _api.UploadAsync(token, Images.PngOfSize(1024 * 1024 + 1), "bigger.png");
        FittrackeeClient.AssertError(answer, HttpStatusCode.RequestEntityTooLarge, TooLarge, "fail");
        Assert.Equal(kept, await Images.PictureIdAsync(factory, id));
    }

    [Fact]
    public async Task An_unknown_or_malformed_picture_id_is_a_native_404()
    {
        var http = factory.CreateClient();
        foreach (var id in new[] { "pic_AAAAAAAAAAAAAAAAAAAAAA", "..%2F..%2Fgatehouse.db", "nope" })
        {
            var response = await http.GetAsync($"/api/v1/pictures/{id}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
