export async function writePictures(): Promise<number> {
  return 0;
}
