using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Dialects.Fittrackee;

/// <summary>
/// Uploads far larger than the 1 MB limit are refused with 413 without being read. The host
/// counts what the application reads of each request body: the in-memory test server itself
/// takes the client's whole body, so the client's side cannot tell.
/// </summary>
public sealed class FittrackeeLargeUploadTests(FittrackeeLargeUploadTests.CountingFactory factory) : IClassFixture<FittrackeeLargeUploadTests.CountingFactory>
{
    private const string TooLarge = "Error during picture update: file size exceeds 1.0MB.";
    private const long Huge = 16L * 1024 * 1024;

    /// <summary>Generous: the limit plus the multipart allowance plus read-ahead buffers.</summary>
    private const long MostTheServerMayRead = 2L * 1024 * 1024;

    public sealed class CountingFactory : GatehouseFactory
    {
        private long _read;

        public long BodyBytesRead => Interlocked.Read(ref _read);

        public void ResetCount() => Interlocked.Exchange(ref _read, 0);

        public void Add(long bytes) => Interlocked.Add(ref _read, bytes);

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter>(new CountingStartupFilter(this)));
        }
    }

    private sealed class CountingStartupFilter(CountingFactory factory) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, proceed) =>
            {
                context.Request.Body = new CountingStream(context.Request.Body, factory);
                await proceed();
            });
            next(app);
        };
    }

    [Fact]
    public async Task A_body_far_larger_than_the_limit_is_refused_by_its_content_length_without_being_read()
    {
        var api = new FittrackeeClient(factory.CreateClient());
        var (_, token) = await api.NewUserAsync();
        factory.ResetCount();
        var content = new StreamContent(new GeneratedStream(Images.Png, Huge));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b0undary");
        content.Headers.ContentLength = Huge;

        FittrackeeClient.AssertError(await api.SendAsync(HttpMethod.Post, "/picture", token, content), HttpStatusCode.RequestEntityTooLarge, TooLarge, "fail");
        Assert.Equal(0, factory.BodyBytesRead);
    }

    [Fact]
    public async Task A_chunked_body_far_larger_than_the_limit_is_refused_while_streaming()
    {
        var api = new FittrackeeClient(factory.CreateClient());
        var (_, token) = await api.NewUserAsync();
        factory.ResetCount();
        var prefix = Encoding.ASCII.GetBytes("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.png\"\r\n\r\n");
        // No Content-Length: only counting the bytes can stop it.
        var content = new StreamContent(new GeneratedStream([.. prefix, .. Images.Png], Huge));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b0undary");

        var answer = await api.SendAsync(HttpMethod.Post, "/picture", token, content, chunked: true);
        FittrackeeClient.AssertError(answer, HttpStatusCode.RequestEntityTooLarge, TooLarge, "fail");
        Assert.InRange(factory.BodyBytesRead, 1024 * 1024, MostTheServerMayRead);
        Assert.False((await api.ProfileAsync(token)).Json.GetProperty("data").GetProperty("picture").GetBoolean());
    }

    [Fact]
    public async Task A_chunked_body_of_many_small_form_fields_is_stopped_too()
    {
        var api = new FittrackeeClient(factory.CreateClient());
        var (_, token) = await api.NewUserAsync();
        factory.ResetCount();
        var field = Encoding.ASCII.GetBytes("--b0undary\r\nContent-Disposition: form-data; name=\"junk\"\r\n\r\n" + new string('x', 1000) + "\r\n");
        var content = new StreamContent(new GeneratedStream(field, Huge, repeat: true));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b0undary");

        FittrackeeClient.AssertError(await api.SendAsync(HttpMethod.Post, "/picture", token, content, chunked: true), HttpStatusCode.RequestEntityTooLarge, TooLarge, "fail");
        Assert.InRange(factory.BodyBytesRead, 1024 * 1024, MostTheServerMayRead);
    }

    private sealed class CountingStream(Stream inner, CountingFactory counter) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            counter.Add(n);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            counter.Add(n);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A long body made up on demand: <paramref name="head"/> (once or repeated), then filler.</summary>
    private sealed class GeneratedStream(byte[] head, long length, bool repeat = false) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        // Unknown, so that HttpClient sends the body chunked; the declared-length test sets the header itself.
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++)
            {
                var at = _position + i;
                buffer[offset + i] = repeat ? head[at % head.Length] : at < head.Length ? head[at] : (byte)'x';
            }
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
